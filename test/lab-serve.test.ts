/**
 * `npm run lab` (scripts/lab.ts) and its static server (web/serve.ts): the script builds, prints the
 * URL and serves the page; bad flags are errors; the server serves the right types and nothing outside
 * its directory.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { serveStatic } from '../web/serve.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'rnnlab-serve-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A raw GET, path as given (fetch would normalise "/../"). */
function get(url: string, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the lab server', () => {
  it('serves the built files with their types, and nothing else', async () => {
    const dist = join(root, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>x</title>');
    writeFileSync(join(dist, 'assets', 'w.js'), 'export {}');
    writeFileSync(join(root, 'secret.txt'), 'no');
    const s = await serveStatic(dist, 0);
    try {
      assert.match(s.url, /^http:\/\/localhost:\d+\/$/);
      const index = await get(s.url, '/');
      assert.deepEqual([index.status, index.type], [200, 'text/html; charset=utf-8']);
      assert.equal((await get(s.url, '/assets/w.js')).type, 'text/javascript; charset=utf-8');
      assert.equal((await get(s.url, '/nope.js')).status, 404);
      // "/../" is normalised away by URL parsing; an encoded slash survives it and is refused.
      for (const path of ['/../secret.txt', '/%2e%2e/secret.txt']) assert.equal((await get(s.url, path)).status, 404, path);
      assert.equal((await get(s.url, '/..%2fsecret.txt')).status, 403);
    } finally {
      await s.close();
    }
  });

  it('npm run lab refuses a bad --port, naming the flag', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/lab.ts', '--port', 'eighty'], { cwd: repo, encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /--port: expected an integer from 0 to 65535.*got "eighty"/);
    const u = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/lab.ts', '--verbose'], { cwd: repo, encoding: 'utf8' });
    assert.match(u.stderr, /unknown argument "--verbose"/);
  });

  it('npm run lab builds, prints the URL and serves the page until stopped', { timeout: 60_000 }, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/lab.ts', '--port', '0', '--no-open', '--out', join(root, 'built')], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (c: string) => {
          out += c;
          const m = /rnnlab lab: (http:\/\/localhost:\d+\/)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.stderr.setEncoding('utf8').on('data', (c: string) => { out += c; });
        child.on('exit', (code) => reject(new Error(`lab exited (${code}) before printing its URL:\n${out}`)));
      });
      const page = await get(url, '/');
      assert.equal(page.status, 200);
      assert.match(page.body, /<title>rnnlab — the lab<\/title>/);
      const script = /src="\.\/(assets\/index-[^"]+\.js)"/.exec(page.body);
      assert.ok(script, 'the built page loads its bundle');
      assert.equal((await get(url, `/${script[1]}`)).status, 200);
    } finally {
      child.kill('SIGTERM');
    }
  });
});

/**
 * `npm run lab` (scripts/lab.ts) and its static server (web/serve.ts): the script builds, prints the
 * URL and serves the page; bad flags are errors; the server serves the right types and nothing outside
 * its directory (symlinks included), and no FIFO, vanished file or create/delete race can hang or crash it.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { serveStatic } from '../web/serve.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'rnnlab-serve-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A raw GET to 127.0.0.1, path as given (fetch would normalise "/../"); fails rather than hangs after `ms`. */
function get(url: string, path: string, ms = 5000): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: '127.0.0.1', port: u.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.setTimeout(ms, () => req.destroy(new Error(`GET ${path}: no answer in ${ms} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** A fresh folder under `root` holding `files` (name → content), to serve. */
function site(files: Record<string, string>): string {
  const dir = mkdtempSync(join(root, 'site-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const posix = process.platform !== 'win32';

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

  it('refuses a symlink to a file outside its folder, never sending the target', { skip: !posix }, async () => {
    const outside = site({ 'secret.txt': 'outside-secret' });
    const dist = site({ 'index.html': 'ok' });
    symlinkSync(join(outside, 'secret.txt'), join(dist, 'leak.txt'));
    symlinkSync('/etc/passwd', join(dist, 'passwd'));
    const s = await serveStatic(dist, 0);
    try {
      const leak = await get(s.url, '/leak.txt');
      assert.equal(leak.status, 403);
      assert.doesNotMatch(leak.body, /outside-secret/);
      const passwd = await get(s.url, '/passwd');
      assert.equal(passwd.status, 403);
      assert.doesNotMatch(passwd.body, /root:/);
    } finally {
      await s.close();
    }
  });

  it('refuses a symlink to a directory outside its folder', { skip: !posix }, async () => {
    const outside = site({ 'index.html': 'outside-index', 'secret.txt': 'outside-secret' });
    const dist = site({ 'index.html': 'ok' });
    symlinkSync(outside, join(dist, 'elsewhere'));
    const s = await serveStatic(dist, 0);
    try {
      for (const path of ['/elsewhere/', '/elsewhere/secret.txt']) {
        const r = await get(s.url, path);
        assert.equal(r.status, 403, path);
        assert.doesNotMatch(r.body, /outside-/, path);
      }
    } finally {
      await s.close();
    }
  });

  it('serves a symlink that stays inside its folder', { skip: !posix }, async () => {
    const dist = site({ 'index.html': 'ok' });
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'assets', 'w.js'), 'export {}');
    symlinkSync(join('assets', 'w.js'), join(dist, 'alias.js'));
    symlinkSync(join(dist, 'assets'), join(dist, 'linked'));
    const s = await serveStatic(dist, 0);
    try {
      const alias = await get(s.url, '/alias.js');
      assert.deepEqual([alias.status, alias.type, alias.body], [200, 'text/javascript; charset=utf-8', 'export {}']);
      assert.equal((await get(s.url, '/linked/w.js')).body, 'export {}');
    } finally {
      await s.close();
    }
  });

  it('answers 404 at once for a FIFO, and keeps serving', { skip: !posix, timeout: 20_000 }, async () => {
    const dist = site({ 'index.html': 'ok' });
    const made = spawnSync('mkfifo', [join(dist, 'pipe.txt')]);
    assert.equal(made.status, 0, 'mkfifo');
    const s = await serveStatic(dist, 0);
    try {
      // More at once than libuv's four file-I/O threads: a blocking open would stall every later request.
      const answers = await Promise.all(Array.from({ length: 8 }, () => get(s.url, '/pipe.txt', 3000)));
      assert.deepEqual(answers.map((a) => a.status), Array(8).fill(404));
      assert.equal((await get(s.url, '/', 3000)).body, 'ok');
    } finally {
      await s.close();
    }
  });

  it('answers 404 for a file deleted after it was served, and keeps serving', async () => {
    const dist = site({ 'index.html': 'ok', 'gone.txt': 'here' });
    const s = await serveStatic(dist, 0);
    try {
      assert.equal((await get(s.url, '/gone.txt')).body, 'here');
      unlinkSync(join(dist, 'gone.txt'));
      assert.equal((await get(s.url, '/gone.txt')).status, 404);
      assert.equal((await get(s.url, '/')).body, 'ok');
    } finally {
      await s.close();
    }
  });

  it('survives a file created and deleted under a stream of requests for it', { timeout: 60_000 }, async () => {
    const dist = site({ 'index.html': 'ok' });
    const file = join(dist, 'flicker.txt');
    const text = 'x'.repeat(64 * 1024);
    // Another process, so that creation and deletion really interleave with the server's stat/open/read.
    const churn = spawn(process.execPath, ['-e', `const fs = require('fs'); const [f, n] = process.argv.slice(1);
      const t = 'x'.repeat(+n); for (;;) { fs.writeFileSync(f, t); try { fs.unlinkSync(f); } catch {} }`, file, String(text.length)], { stdio: 'ignore' });
    const s = await serveStatic(dist, 0);
    try {
      const seen = new Set<number>();
      for (let round = 0; round < 20; round++) {
        const answers = await Promise.all(Array.from({ length: 10 }, () => get(s.url, '/flicker.txt')));
        for (const a of answers) {
          seen.add(a.status);
          assert.ok(a.status === 404 || (a.status === 200 && text.startsWith(a.body)), `status ${a.status}, ${a.body.length} bytes`);
        }
      }
      assert.ok([...seen].every((st) => st === 200 || st === 404), [...seen].join());
      assert.equal((await get(s.url, '/')).body, 'ok');
    } finally {
      churn.kill('SIGKILL');
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

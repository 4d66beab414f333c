/**
 * A static file server for the built lab, on localhost only: enough for index.html, the JS chunks (the
 * workers are module scripts, so the MIME type matters), CSS, fonts, SVG and WebAssembly. Nothing is
 * fetched from anywhere else, and nothing outside the served folder is served: not via "..", and not
 * via a symlink whose target lies outside it (symlinks that stay inside are fine). Each file is opened
 * once and checked on its handle, so a file that vanishes, a directory or a FIFO gets a 404, and no
 * I/O error can take the process down.
 */
import { constants, realpathSync } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

// O_NONBLOCK: opening a FIFO for reading would otherwise park a libuv thread until a writer appears
// (four such requests stall all file I/O). O_NOFOLLOW: the checked real path must not have become a
// symlink by the time it is opened. Neither exists on Windows, where 0 leaves them out.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);
const MISSING = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'ELOOP', 'ENAMETOOLONG']);

/**
 * Cross-origin isolation: with these two the page may use SharedArrayBuffer (and so threads sharing one
 * WebAssembly memory). Everything the lab loads is its own, so requiring CORP costs nothing.
 */
export const ISOLATION_HEADERS = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } as const;

export interface StaticServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

function fail(res: ServerResponse, status: number, text: string): void {
  // Once the 200 and its length are out, a short body is the only honest signal left: cut the connection.
  if (res.headersSent) res.destroy();
  else res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
}

const inside = (root: string, p: string): boolean => p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);

async function respond(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let path: string;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  } catch {
    return fail(res, 400, 'bad request');
  }
  if (path.endsWith('/')) path += 'index.html';
  const file = normalize(join(root, path));
  // An encoded "/" ("..%2f") survives URL parsing, so the joined path itself can climb out.
  if (!inside(root, file)) return fail(res, 403, 'forbidden');
  let handle: FileHandle;
  try {
    const real = await realpath(file);
    // The lexical check above cannot see symlinks; only the real path says where the bytes come from.
    if (!inside(root, real)) return fail(res, 403, 'forbidden');
    handle = await open(real, OPEN_FLAGS);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    return MISSING.has(code) ? fail(res, 404, `not found: ${path}`) : fail(res, 500, 'server error');
  }
  // Checked on the handle, not the name: what is streamed is exactly what was checked.
  const st = await handle.stat().catch(() => null);
  if (!st?.isFile()) {
    await handle.close().catch(() => {});
    return st ? fail(res, 404, `not found: ${path}`) : fail(res, 500, 'server error');
  }
  const size = st.size;
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': size, 'cache-control': 'no-cache', ...ISOLATION_HEADERS });
  if (req.method === 'HEAD' || size === 0) {
    await handle.close().catch(() => {});
    res.end();
    return;
  }
  // Capped at the checked size, so a file that grows meanwhile cannot overrun the content-length.
  // pipeline destroys both ends on any error (and the stream closes the handle); the callback only has
  // to make sure a failure is never silent to the client.
  pipeline(handle.createReadStream({ start: 0, end: size - 1 }), res, (err) => {
    if (err) fail(res, 500, 'server error');
  });
}

/** Serves `root` on 127.0.0.1:`port` (0: any free port). Rejects when the port is taken or `root` is missing. */
export function serveStatic(root: string, port: number): Promise<StaticServer> {
  let base: string;
  try {
    base = realpathSync(root);
  } catch (e) {
    return Promise.reject(e as Error);
  }
  const server = createServer((req, res) => {
    // A client that goes away mid-response makes `res` emit errors; they concern that client only.
    res.on('error', () => res.destroy());
    respond(base, req, res).catch(() => fail(res, 500, 'server error'));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const { port: actual } = server.address() as AddressInfo;
      resolve({
        server,
        url: `http://localhost:${actual}/`,
        close: () => new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}

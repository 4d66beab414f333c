/**
 * `npm run lab`: builds the browser lab (web/) with Vite into web/dist, serves it on localhost, prints
 * the URL and opens it in the default browser; serves until Ctrl-C.
 *
 *   npm run lab                        → http://localhost:5173/
 *   npm run lab -- --port 8080 --no-open
 *   npm run lab -- --out /tmp/lab      (build there instead of web/dist)
 *
 * The page needs nothing from the network: everything it loads comes from this server.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLab } from '../web/build.js';
import { serveStatic } from '../web/serve.js';

const DEFAULT_PORT = 5173;

interface LabArgs {
  port: number;
  open: boolean;
  outDir: string;
}

function parseArgs(argv: string[]): LabArgs {
  const out: LabArgs = { port: DEFAULT_PORT, open: true, outDir: fileURLToPath(new URL('../web/dist', import.meta.url)) };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-open') out.open = false;
    else if (a === '--port' || a.startsWith('--port=')) {
      const v = a === '--port' ? argv[++i] : a.slice('--port='.length);
      const n = Number(v);
      if (v === undefined || !Number.isInteger(n) || n < 0 || n > 65535) {
        throw new RangeError(`--port: expected an integer from 0 to 65535 (0: any free port), got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
      }
      out.port = n;
    } else if (a === '--out' || a.startsWith('--out=')) {
      const v = a === '--out' ? argv[++i] : a.slice('--out='.length);
      if (v === undefined || v === '') throw new RangeError('--out: expected a directory to build into, got nothing');
      out.outDir = resolve(v);
    } else if (a === '--help' || a === '-h') {
      console.log('usage: npm run lab -- [--port N] [--no-open] [--out DIR]\n  builds web/ into DIR (default web/dist) and serves it on http://localhost:N/ (default 5173) until Ctrl-C');
      process.exit(0);
    } else {
      throw new RangeError(`unknown argument ${JSON.stringify(a)} (expected --port N, --no-open or --out DIR)`);
    }
  }
  return out;
}

/** Opens the URL in the desktop's browser; where there is none (a server, CI) that simply fails, quietly. */
function openBrowser(url: string): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]]
    : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => { /* no browser to open: the printed URL is enough */ });
    child.unref();
  } catch {
    /* as above */
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const outDir = args.outDir;
  console.log(`building the lab (web/ → ${outDir}) …`);
  const t0 = performance.now();
  await buildLab(outDir, 'warn');
  console.log(`built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  let served;
  try {
    served = await serveStatic(outDir, args.port);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'EADDRINUSE' ? `--port: port ${args.port} is in use; pick another with --port N (0: any free port)` : (e as Error).message);
  }
  console.log(`\n  rnnlab lab: ${served.url}\n\n  (Ctrl-C to stop)`);
  if (args.open) openBrowser(served.url);
  const stop = (): void => {
    void served.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(`lab: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});

/**
 * The lab's Vite configuration, as a function so that `npm run lab` (scripts/lab.ts) and the end-to-end
 * test build into a directory of their choosing; vite.config.ts wraps it for `npx vite web`.
 *
 * Everything the page needs is bundled from node_modules (KaTeX's CSS and fonts, Vega, Graphviz's
 * WebAssembly, which its package embeds as base64): the built app runs offline.
 */
import { fileURLToPath } from 'node:url';
import type { InlineConfig, LogLevel, Plugin } from 'vite';
import { loadCorpus } from 'rnnlab/node';
import { ISOLATION_HEADERS } from './serve.js';

export const LAB_ROOT = fileURLToPath(new URL('.', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

const MOBY_DICK_ID = 'virtual:moby-dick';

/**
 * `import { text } from 'virtual:moby-dick'`: the built-in text, joined by the same code as the CLI's
 * loadCorpus('moby-dick') (it is that call, made at build time), so a char-lm checkpoint saying
 * `source: 'moby-dick'` names the same characters on both sides. Imported lazily by the worker: only a
 * page that trains on it downloads the 1.2 MB.
 */
function mobyDick(): Plugin {
  return {
    name: 'rnnlab-moby-dick',
    resolveId(source) {
      return source === MOBY_DICK_ID ? `\0${MOBY_DICK_ID}` : null;
    },
    load(id) {
      if (id !== `\0${MOBY_DICK_ID}`) return null;
      const c = loadCorpus('moby-dick');
      return `export const text = ${JSON.stringify(c.text)};\nexport const source = ${JSON.stringify(c.source)};\nexport const licence = ${JSON.stringify(c.licence)};\n`;
    },
  };
}

export interface LabConfigOptions {
  /** Where the built app goes (default web/dist). */
  outDir?: string;
  logLevel?: LogLevel;
}

export function labConfig(o: LabConfigOptions = {}): InlineConfig {
  return {
    configFile: false,
    root: LAB_ROOT,
    // Relative asset URLs: the built app works from any path a static server puts it under.
    base: './',
    logLevel: o.logLevel ?? 'info',
    plugins: [mobyDick()],
    // The page imports the library as a user would, by its package name; here that is the source.
    resolve: { alias: [{ find: /^rnnlab$/, replacement: fileURLToPath(new URL('../src/index.ts', import.meta.url)) }] },
    worker: { format: 'es', plugins: () => [mobyDick()] },
    // Cross-origin isolation (web/serve.ts says why), for `npx vite web` and `vite preview` as for `npm run lab`.
    server: { fs: { allow: [REPO_ROOT] }, headers: { ...ISOLATION_HEADERS } },
    preview: { headers: { ...ISOLATION_HEADERS } },
    build: {
      outDir: o.outDir ?? fileURLToPath(new URL('./dist', import.meta.url)),
      emptyOutDir: true,
      target: 'es2022',
      // Vega, Graphviz's WebAssembly and the built-in text are large by nature; they load on demand.
      chunkSizeWarningLimit: 4096,
      reportCompressedSize: false,
      // The timing report is for plugin authors; KaTeX's CSS is simply big.
      rolldownOptions: { checks: { bundlerTimings: false } },
    },
  };
}

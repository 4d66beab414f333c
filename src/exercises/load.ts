/**
 * Loads a learner's workbook from its sources: each file is compiled to CommonJS by `transpile` (sucrase
 * in `rnnlab check` and in the lab alike; it is passed in so this file stays free of it and of node:
 * modules) and evaluated on first use. A workbook file may import its siblings ('./b2-rnn', as B5 does)
 * and nothing else: a learner's directory has nothing else, and the grader gives the same result in the
 * terminal and in the browser only if the code reaches nothing outside it.
 *
 * Every failure is an Error whose message names the file and says what happened, for the grader to turn
 * into a failed check. Running in a worker with a time limit (src/cli/check.ts, web/src/exercises-worker.ts)
 * is what guards against code that never returns.
 */
import type { ModuleExports, ModuleLoader } from './types.js';

/** TypeScript or JavaScript source → CommonJS JavaScript (uses `exports` and `require`). */
export type Transpile = (source: string, file: string) => string;

/** The extensions a workbook file may have, in the order they are looked for. */
export const WORKBOOK_EXTENSIONS = ['.ts', '.js'] as const;

/** The file `name` resolves to among `sources` (file name → text), or undefined. */
export function workbookFile(sources: Readonly<Record<string, string>>, name: string): string | undefined {
  return WORKBOOK_EXTENSIONS.map((e) => `${name}${e}`).find((f) => Object.hasOwn(sources, f));
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** './b2-rnn', './b2-rnn.ts' or './b2-rnn.js' → 'b2-rnn'; anything else → undefined. */
function siblingName(spec: string): string | undefined {
  const m = /^\.\/([A-Za-z0-9_-]+)(?:\.(?:ts|js))?$/.exec(spec);
  return m?.[1];
}

export function createLoader(sources: Readonly<Record<string, string>>, transpile: Transpile): ModuleLoader {
  const cache = new Map<string, { exports: ModuleExports }>();
  const load = (name: string): ModuleExports => {
    const hit = cache.get(name);
    if (hit) return hit.exports; // also a cycle: the partly filled exports, as Node gives
    const file = workbookFile(sources, name);
    if (file === undefined) {
      throw new Error(`${name}: no such file in the workbook (looked for ${WORKBOOK_EXTENSIONS.map((e) => name + e).join(' and ')})`);
    }
    let code: string;
    try {
      code = transpile(sources[file], file);
    } catch (e) {
      throw new Error(`${file} does not compile: ${message(e)}`);
    }
    const module = { exports: {} as ModuleExports };
    cache.set(name, module);
    const require = (spec: string): ModuleExports => {
      const sibling = siblingName(spec);
      if (sibling === undefined) {
        throw new Error(`${file} imports '${spec}': a workbook file may import only its sibling files ('./b2-rnn', './b4-lstm-cell', ...)`);
      }
      return load(sibling);
    };
    try {
      // The learner's code, as CommonJS: the same evaluation in Node's worker and the browser's.
      new Function('exports', 'require', 'module', code)(module.exports, require, module);
    } catch (e) {
      cache.delete(name);
      throw new Error(`${file} threw while loading: ${message(e)}`);
    }
    return module.exports;
  };
  return load;
}

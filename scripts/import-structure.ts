/**
 * Which folder of src/ imports which: `npx tsx scripts/import-structure.ts [DIR]` prints, for each
 * folder, the folders its files import from (type-only imports included), read from the import and
 * export statements of every .ts file. test/layers.test.ts holds the same graph to the layer order.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

/** src/ folder (or entry file) of a source path: 'tensor', 'layers', 'index.ts', ... */
export function folderOf(srcRelative: string): string {
  const first = srcRelative.split(sep)[0]!;
  return first.endsWith('.js') ? first.replace(/\.js$/, '.ts') : first;
}

/** Every relative import in src/: [from file, to file], both relative to src/. */
export function srcImports(srcDir: string): [string, string][] {
  const out: [string, string][] = [];
  const walk = (d: string): void => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) {
        if (f !== 'assembly') walk(p);
      } else if (f.endsWith('.ts')) {
        const text = readFileSync(p, 'utf8');
        for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s+'(\.[^']+)'/g)) {
          out.push([relative(srcDir, p), relative(srcDir, normalize(join(dirname(p), m[1]!)))]);
        }
      }
    }
  };
  walk(srcDir);
  return out;
}

export function folderGraph(srcDir: string): Map<string, Set<string>> {
  const g = new Map<string, Set<string>>();
  for (const [from, to] of srcImports(srcDir)) {
    const a = folderOf(from), b = folderOf(to);
    if (a === b) continue;
    if (!g.has(a)) g.set(a, new Set());
    g.get(a)!.add(b);
  }
  return g;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split(sep).pop()!)) {
  const dir = process.argv[2] ?? join(dirname(new URL(import.meta.url).pathname), '..', 'src');
  const g = folderGraph(dir);
  for (const a of [...g.keys()].sort()) console.log(`${a.padEnd(12)} → ${[...g.get(a)!].sort().join(', ')}`);
}

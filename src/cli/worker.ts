/**
 * Code for `new Worker(source, { eval: true })` that loads the module at `moduleUrl` in the worker. Run
 * from source (tsx), the worker must register tsx before importing a .ts file; run from dist/, a plain
 * import does.
 */
export function workerSource(moduleUrl: string): string {
  if (!moduleUrl.endsWith('.ts')) return `import(${JSON.stringify(moduleUrl)}).catch((e) => { throw e; });`;
  let api = 'tsx/esm/api';
  try {
    api = import.meta.resolve('tsx/esm/api');
  } catch {
    /* fall back to the bare name */
  }
  return `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(moduleUrl)}); });`;
}

#!/usr/bin/env node
// The installed command: runs the built CLI in dist/. `npm install` builds it in a clone or a git or
// folder install (the prepare script); a checkout where it is missing gets one line saying so.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  console.error(`rnnlab: the command line is not built (${fileURLToPath(main)} is missing): run \`npm install\` or \`npm run build\` in ${root}`);
  process.exit(1);
}
await import(main.href);

#!/usr/bin/env node
// rnnlab-cli is rnnlab's command line together with the optional packages that its plots need. The
// program is rnnlab's own bin; installed next to it, those packages are found from rnnlab's files.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = dirname(createRequire(import.meta.url).resolve('rnnlab/package.json'));
await import(pathToFileURL(join(root, 'bin', 'rnnlab.js')).href);

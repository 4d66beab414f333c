/** The committed WebAssembly (src/tensor/wasm/gemm-binary.ts) is what its AssemblyScript source compiles to. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { gemmBinarySource } from '../scripts/build-wasm.js';

test('gemm-binary.ts is exactly what npm run build:wasm makes from assembly/gemm.ts', async () => {
  const committed = readFileSync(new URL('../src/tensor/wasm/gemm-binary.ts', import.meta.url), 'utf8');
  assert.equal(committed, await gemmBinarySource(), 'stale WebAssembly: run npm run build:wasm and commit gemm-binary.ts');
});

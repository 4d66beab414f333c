/** Picks the sequence backend a model runs on (RecurrentOptions.backend). */
import type { CellOps } from '../../cells/ops.js';
import type { DType } from '../../tensor/tensor.js';
import { wasmArena, wasmUnavailableReason } from '../../tensor/wasm/arena.js';
import type { SequenceBackend } from './backend.js';
import { referenceBackend } from './reference.js';
import { wasmBackend } from './wasm.js';

export type BackendChoice = 'auto' | 'reference' | 'wasm';

/**
 * 'reference' always; 'wasm' for float32 where WebAssembly SIMD runs, and only for the standard cells,
 * since its fused gate kernels (gate-kernels.ts) are theirs alone; 'auto' takes wasm where it may.
 */
export function resolveBackend(choice: BackendChoice, dtype: DType, ops?: CellOps): SequenceBackend {
  if (choice === 'reference') return referenceBackend;
  const variant = ops?.variant ? Object.entries(ops.variant)[0] : undefined;
  if (choice === 'wasm') {
    if (dtype !== 'float32') throw new RangeError(`backend: 'wasm' runs float32 only, got dtype ${dtype} (use backend 'reference' or 'auto')`);
    if (variant) {
      const [k, v] = variant;
      throw new RangeError(`backend: 'wasm' has fused kernels for the standard cells only, not for options.${k} ${JSON.stringify(v)}; that cell runs on backend 'reference' (or 'auto', which picks it)`);
    }
    if (!wasmArena()) throw new Error(`backend: 'wasm' is not available here: ${wasmUnavailableReason()}`);
    return wasmBackend;
  }
  if (variant) return referenceBackend;
  return dtype === 'float32' && wasmArena() ? wasmBackend : referenceBackend;
}

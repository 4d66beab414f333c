/** Picks the sequence backend a model runs on (RecurrentOptions.backend). */
import type { DType } from '../../tensor/tensor.js';
import { wasmArena, wasmUnavailableReason } from '../../tensor/wasm/arena.js';
import type { SequenceBackend } from './backend.js';
import { referenceBackend } from './reference.js';
import { wasmBackend } from './wasm.js';

export type BackendChoice = 'auto' | 'reference' | 'wasm';

export function resolveBackend(choice: BackendChoice, dtype: DType): SequenceBackend {
  if (choice === 'reference') return referenceBackend;
  if (choice === 'wasm') {
    if (dtype !== 'float32') throw new RangeError(`backend: 'wasm' runs float32 only, got dtype ${dtype} (use backend 'reference' or 'auto')`);
    if (!wasmArena()) throw new Error(`backend: 'wasm' is not available here: ${wasmUnavailableReason()}`);
    return wasmBackend;
  }
  return dtype === 'float32' && wasmArena() ? wasmBackend : referenceBackend;
}

/**
 * The contract between the timing loop (bench/child.ts) and each in-process library, and the list of
 * peers. A peer builds its model and data once, then step() runs one unit of real training (forward,
 * BPTT over the whole sequence, optimizer update) and returns that unit's loss.
 */
import type { Cell, Config } from '../configs.js';

export interface Trainer {
  /** One timed unit of training; resolves to its loss (the same sync the library needs anyway). */
  step(): number | Promise<number>;
  /** Units per training step: 1, or B for brain.js, which trains one sequence at a time. */
  unitsPerStep: number;
  /** Anything a reader of the results must know about how this peer's step differs. */
  note?: string;
}

export type PeerFactory = (cell: Cell, config: Config) => Promise<Trainer>;

export type PeerId = 'rnnlab' | 'rnnlab-ref' | 'tfjs-cpu' | 'tfjs-wasm' | 'brainjs' | 'torch1' | 'torch2';

export interface PeerInfo {
  id: PeerId;
  /** Row label in results.md. */
  label: string;
  /** 'node': a factory in bench/peers/*.ts run by bench/child.ts; 'torch': bench/peers/torch.py. */
  kind: 'node' | 'torch';
  threads?: number;
}

export const PEERS: readonly PeerInfo[] = [
  { id: 'rnnlab', label: 'rnnlab (wasm)', kind: 'node' },
  { id: 'rnnlab-ref', label: 'rnnlab (reference)', kind: 'node' },
  { id: 'tfjs-cpu', label: 'tfjs cpu', kind: 'node' },
  { id: 'tfjs-wasm', label: 'tfjs wasm', kind: 'node' },
  { id: 'brainjs', label: 'brain.js', kind: 'node' },
  { id: 'torch1', label: 'PyTorch 1 thread', kind: 'torch', threads: 1 },
  { id: 'torch2', label: 'PyTorch 2 threads', kind: 'torch', threads: 2 },
];

export function findPeer(id: string): PeerInfo {
  const p = PEERS.find((k) => k.id === id);
  if (!p) throw new RangeError(`peer: expected one of ${PEERS.map((k) => k.id).join(', ')}, got ${JSON.stringify(id)}`);
  return p;
}

/**
 * Loads a node peer's factory. Imports are dynamic so a library that fails to load (brain.js on a new
 * Node, a missing wasm file) only takes its own rows down, with the error as the reason.
 */
export async function loadFactory(id: PeerId): Promise<PeerFactory> {
  switch (id) {
    case 'rnnlab':
      return (await import('./rnnlab.js')).factory('wasm');
    case 'rnnlab-ref':
      return (await import('./rnnlab.js')).factory('reference');
    case 'tfjs-cpu':
      return (await import('./tfjs.js')).factory('cpu');
    case 'tfjs-wasm':
      return (await import('./tfjs.js')).factory('wasm');
    case 'brainjs':
      return (await import('./brainjs.js')).factory();
    default:
      throw new RangeError(`peer ${id}: not an in-process (Node) peer`);
  }
}

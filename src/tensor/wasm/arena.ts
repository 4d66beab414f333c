/**
 * The WebAssembly kernels (assembly/: the GEMM and the fused cell steps) and the memory it works in, as the fast backend sees
 * them: one instance per thread, a scratch arena that each forward or backward call lays out at the
 * start and gives back at the end, and float32 views into it.
 *
 * Only float32 runs here; the plain-TypeScript kernels (../kernels.ts) stay the reference.
 */
import { GEMM_WASM, GEMM_WASM_SHARED } from './gemm-binary.js';
import { F32_BYTES, I32_BYTES, f32Bytes } from './bytes.js';
import { GemmPool, PIECES_PER_THREAD, callKernel, controlInts, type PooledKernel } from './pool.js';
import { describeValue } from '../check.js';

export { F32_BYTES, f32Bytes } from './bytes.js';

/** What the compiled module exports: byte offsets and sizes, see assembly/gemm.ts. */
export interface GemmExports {
  packNN(src: number, K: number, N: number, ldb: number, dst: number): void;
  packNT(src: number, K: number, N: number, ldb: number, dst: number): void;
  gemm(M: number, N: number, K: number, A: number, lda: number, aTrans: number, Bp: number, C: number, ldc: number, accumulate: number, work: number): void;
  /** Floats of scratch one gemm() call needs (its `work`). */
  WORK_FLOATS: WebAssembly.Global;
  /** y[N] (+)= W[N, K] x[K], W row-major with row stride ldw. */
  gemv(N: number, K: number, W: number, ldw: number, x: number, y: number, accumulate: number): void;
  sumRowsAcc(out: number, A: number, M: number, N: number, lda: number): void;
  heapBase(): number;
  lstmForward(z: number, cPrev: number, c: number, h: number, aux: number, B: number, H: number): void;
  lstmBackward(dh: number, above: number, dc: number, cPrev: number, aux: number, dz: number, dcPrev: number, dhPrev: number, dcTotal: number, B: number, H: number): void;
  gruForward(a: number, u: number, hPrev: number, h: number, aux: number, B: number, H: number): void;
  gruBackward(dh: number, above: number, hPrev: number, aux: number, da: number, du: number, dhPrev: number, B: number, H: number): void;
  rnnForward(a: number, h: number, n: number, relu: number): void;
  rnnBackward(dh: number, above: number, h: number, da: number, dhPrev: number, n: number, relu: number): void;
  addRows(C: number, b: number, M: number, N: number): void;
  /** A streaming LSTM step of one sequence's n cells, products and gates fused (assembly/cells.ts). */
  lstmCells(n: number, K: number, W4: number, b4: number, xh: number, cPrev: number, c: number, h: number): void;
  /** All T forward steps of a small-batch layer (assembly/sequence.ts); `cell` as gate-kernels.ts's CELL_IDS. */
  forwardSteps(cell: number, T: number, B: number, H: number, z: number, u: number, bu: number, hasBias: number, whh: number, hs: number, cs: number, aux: number, auxStep: number, relu: number): void;
}

const PAGE = 65536;
/**
 * A product of fewer rows than this (a batch of 1 to 3) runs row by row as matrix-vector products
 * (gemv) on the weights as stored: the GEMM's 4-row tiles would have no row to share a load of B with.
 */
export const GEMM_MIN_ROWS = 4;
/**
 * Below this many values a cell kernel stays on one thread. A value costs the LSTM's kernels about
 * 10 ns (five exponentials and divisions), so 2048 of them are some 20 µs, several hand-offs' worth.
 */
const PARALLEL_MIN_VALUES = 2048;
const ALIGN = 64;


export interface ArenaScope {
  /** Room for `floats` float32 values, 64-byte aligned; returns its byte offset. */
  alloc(floats: number): number;
  /** Gives back everything this scope allocated. */
  close(): void;
}

/** Free byte ranges of the memory, sorted by address, neighbours merged: first fit. */
class FreeList {
  private readonly ranges: { ptr: number; bytes: number }[] = [];

  /** The start of `bytes` free bytes, now taken, or −1. */
  take(bytes: number): number {
    for (let i = 0; i < this.ranges.length; i++) {
      const r = this.ranges[i];
      if (r.bytes < bytes) continue;
      const ptr = r.ptr;
      r.ptr += bytes;
      r.bytes -= bytes;
      if (r.bytes === 0) this.ranges.splice(i, 1);
      return ptr;
    }
    return -1;
  }

  release(ptr: number, bytes: number): void {
    let i = 0;
    while (i < this.ranges.length && this.ranges[i].ptr < ptr) i++;
    this.ranges.splice(i, 0, { ptr, bytes });
    const next = this.ranges[i + 1];
    if (next && ptr + bytes === next.ptr) {
      this.ranges[i].bytes += next.bytes;
      this.ranges.splice(i + 1, 1);
    }
    const prev = this.ranges[i - 1];
    if (prev && prev.ptr + prev.bytes === ptr) {
      prev.bytes += this.ranges[i].bytes;
      this.ranges.splice(i, 1);
    }
  }

  total(): number {
    return this.ranges.reduce((n, r) => n + r.bytes, 0);
  }
}

export class WasmArena {
  readonly memory: WebAssembly.Memory;
  readonly kernel: GemmExports;
  readonly shared: boolean;
  private readonly free = new FreeList();
  private view: Float32Array;
  /** Threads it was made for: the caller and its helpers, started or not (threads counts the started ones). */
  readonly plannedThreads: number;
  private readonly pool: GemmPool | null = null;
  private readonly work: number;

  /**
   * shared: the shared-memory build (needed for threads > 1, which adds threads − 1 helper workers for
   * large GEMMs). On shared memory, views stay valid when the memory grows, so caches can stay here
   * between a forward and its backward (`shared` tells the backend whether they may).
   */
  constructor(threads = 1, shared = threads > 1) {
    if (threads > 1 && !shared) throw new Error('internal: worker threads need shared memory');
    this.shared = shared;
    this.plannedThreads = threads;
    this.memory = new WebAssembly.Memory({ initial: 16, maximum: 65536, shared });
    const module = new WebAssembly.Module(decodeBase64(shared ? GEMM_WASM_SHARED : GEMM_WASM));
    const instance = new WebAssembly.Instance(module, {
      env: {
        memory: this.memory,
        abort: () => {
          throw new Error('internal: the WebAssembly GEMM kernel aborted');
        },
      },
    });
    this.kernel = instance.exports as unknown as GemmExports;
    // Fixed at the bottom: the calling thread's gemm scratch, then (threaded) the pool's control block
    // and one scratch per GEMM piece.
    const workBytes = align(f32Bytes(this.kernel.WORK_FLOATS.value as number));
    this.work = align(this.kernel.heapBase());
    let base = this.work + workBytes;
    if (threads > 1) {
      const control = base;
      const pieces = threads * PIECES_PER_THREAD;
      base = align(control + controlInts(threads) * I32_BYTES);
      this.pool = new GemmPool(this.kernel, module, this.memory, control, threads - 1, base, workBytes);
      base += pieces * workBytes;
    }
    const need = Math.ceil(base / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (need > 0) this.memory.grow(need);
    if (this.memory.buffer.byteLength > base) this.free.release(base, this.memory.buffer.byteLength - base);
    this.view = new Float32Array(this.memory.buffer);
  }

  /** gemm() of assembly/gemm.ts, on several threads when it is large and helpers are running. */
  gemm(M: number, N: number, K: number, A: number, lda: number, aTrans: number, Bp: number, C: number, ldc: number, acc: number): void {
    if (this.pool) this.pool.gemm(M, N, K, A, lda, aTrans, Bp, C, ldc, acc);
    else this.kernel.gemm(M, N, K, A, lda, aTrans, Bp, C, ldc, acc, this.work);
  }

  /**
   * A row-wise kernel (pool.ts's POOLED_KERNELS) over `rows` independent rows of `perRow` values' work each, on
   * several threads when helpers run and there is enough work to pay for the hand-off; see GemmPool.rows
   * for `args`, `rowBytes` and `rowsAt`.
   */
  rows(kernel: PooledKernel, rows: number, perRow: number, args: readonly number[], rowBytes: readonly number[], rowsAt: number, onePerThread = false): void {
    if (this.pool && rows * perRow >= PARALLEL_MIN_VALUES) this.pool.rows(kernel, rows, args, rowBytes, rowsAt, onePerThread);
    else callKernel(this.kernel, kernel, args);
  }

  /** y[N] (+)= W[N, K] x[K] (gemv), shared out by rows of W when it is large enough (gemvShared). */
  gemv(N: number, K: number, W: number, ldw: number, x: number, y: number, accumulate = 0): void {
    // One piece per thread, so that the same rows of W tend to go to the same thread from call to call.
    if (this.gemvShared(N, K)) this.pool!.rows('gemv', N, [N, K, W, ldw, x, y, accumulate], [0, 0, ldw * F32_BYTES, 0, 0, F32_BYTES, 0], 0, true);
    else this.kernel.gemv(N, K, W, ldw, x, y, accumulate);
  }

  /**
   * Whether gemv(N, K) is shared out across threads. A row of W counts as K / 32 values of a cell
   * kernel: a multiply-add is about a hundredth of such a value, but W comes from memory, and each
   * thread's share of it stays in its own cache (measured: 512 × 192 in 6.7 µs on one thread, 3.9 µs
   * on two).
   */
  gemvShared(N: number, K: number): boolean {
    return this.pool !== null && (N * K) / 32 >= PARALLEL_MIN_VALUES;
  }

  /** Stops the helper threads (the arena still works, on one thread). */
  close(): void {
    void this.pool?.close();
  }

  /** Threads that GEMMs run on now (helpers count once they have started). */
  get threads(): number {
    return this.pool ? this.pool.threads : 1;
  }

  /** Resolves with threads once `want` threads run (helpers start in the background), or at the timeout. */
  async waitForThreads(want: number, timeoutMs = 5000): Promise<number> {
    const end = Date.now() + timeoutMs;
    while (this.threads < want && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    return this.threads;
  }

  /**
   * A set of allocations freed together by close(): scratch for one call, or (on shared memory) a
   * forward's cache kept until its model runs forward again. Growing a private memory detaches earlier
   * views, so callers allocate everything first and take views (f32) after.
   */
  scope(): ArenaScope {
    const blocks: [number, number][] = [];
    return {
      alloc: (floats: number): number => {
        const bytes = align(f32Bytes(Math.max(1, floats)));
        const ptr = this.allocBytes(bytes);
        blocks.push([ptr, bytes]);
        return ptr;
      },
      close: (): void => {
        for (const [ptr, bytes] of blocks.splice(0)) this.free.release(ptr, bytes);
      },
    };
  }

  /** Bytes of memory in use by scopes now (for tests: everything is given back). */
  get usedBytes(): number {
    return this.memory.buffer.byteLength - this.free.total();
  }

  private allocBytes(bytes: number): number {
    let ptr = this.free.take(bytes);
    if (ptr < 0) {
      // Grow by at least what is missing, and by half again, so a growing model does not grow page by page.
      const size = this.memory.buffer.byteLength;
      const pages = Math.max(Math.ceil(bytes / PAGE), Math.ceil(size / PAGE / 2));
      this.memory.grow(pages);
      this.free.release(size, pages * PAGE);
      this.view = new Float32Array(this.memory.buffer);
      ptr = this.free.take(bytes);
    }
    return ptr;
  }

  /** A float32 view of `floats` values at byte offset ptr. */
  f32(ptr: number, floats: number): Float32Array {
    const i = (ptr / F32_BYTES) | 0;
    return this.view.subarray(i, i + floats);
  }

  /** Floats a B operand [K, N] takes once packed into 8-column panels. */
  static packedSize(K: number, N: number): number {
    return Math.ceil(N / 8) * 8 * K;
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

let arena: WasmArena | null | undefined;
let failure = '';
let wantedThreads: number | null = null;
let wantShared = true;

/**
 * How many threads the fast backend's large GEMMs use (default: in Node the RNNLAB_THREADS environment
 * variable, else the machine's cores, at most 4; in a cross-origin isolated page or Web Worker its
 * navigator.hardwareConcurrency, at most 4; else 1). Takes effect for work started after it.
 * `sharedMemory: false` runs on a private memory (as a page without cross-origin isolation does).
 */
export function setWasmThreads(threads: number, options: { sharedMemory?: boolean } = {}): void {
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new RangeError(`threads: expected an integer from 1 to 64, got ${describeValue(threads)}`);
  }
  if (options.sharedMemory === false && threads > 1) {
    throw new RangeError(`options.sharedMemory: false allows threads 1 only, got threads ${threads}`);
  }
  wantedThreads = threads;
  wantShared = options.sharedMemory ?? true;
  arena?.close(); // caches still held in its memory stay readable: backward copies them from there
  arena = undefined;
}

/** Threads by default: see setWasmThreads. Where there is no shared memory this is 1. */
function defaultThreads(): number {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined>; getBuiltinModule?: (id: string) => unknown } }).process;
  const os = p?.getBuiltinModule?.('node:os') as { availableParallelism(): number } | undefined;
  if (!os) {
    // A browser: helpers need shared memory, which only a cross-origin isolated context has.
    const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
    const cores = g.navigator?.hardwareConcurrency;
    return g.crossOriginIsolated === true && typeof cores === 'number' && Number.isInteger(cores) && cores >= 1 ? Math.min(4, cores) : 1;
  }
  const env = p?.env?.RNNLAB_THREADS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`RNNLAB_THREADS: expected a positive integer, got ${describeValue(env)}`);
    return n;
  }
  return Math.min(4, os.availableParallelism());
}

/** The process's (or worker's) arena, made on first use; null where WebAssembly SIMD is missing. */
export function wasmArena(): WasmArena | null {
  if (arena === undefined) {
    const threads = wantedThreads ?? defaultThreads();
    // Shared memory where there is some (keeps caches in place, and allows threads); else a private one.
    const attempts: [number, boolean][] = wantShared ? [[threads, true], [1, true], [1, false]] : [[1, false]];
    for (const [t, shared] of attempts) {
      try {
        arena = new WasmArena(t, shared);
        failure = '';
        break;
      } catch (e) {
        arena = null;
        failure = e instanceof Error ? e.message : String(e);
      }
    }
  }
  return arena ?? null;
}

/** Why wasmArena() is null ('' when it is not). */
export function wasmUnavailableReason(): string {
  wasmArena();
  return failure;
}

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

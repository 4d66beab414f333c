/**
 * The WebAssembly kernels (assembly/: the GEMM and the fused cell steps) and the memory it works in, as the fast backend sees
 * them: one instance per thread, a scratch arena that each forward or backward call lays out at the
 * start and gives back at the end, and float32 views into it.
 *
 * Only float32 runs here; the plain-TypeScript kernels (../kernels.ts) stay the reference.
 */
import { GEMM_WASM, GEMM_WASM_SHARED } from './gemm-binary.js';
import { GemmPool, PIECES_PER_THREAD, controlInts } from './pool.js';

/** What the compiled module exports: byte offsets and sizes, see assembly/gemm.ts. */
export interface GemmExports {
  packNN(src: number, K: number, N: number, ldb: number, dst: number): void;
  packNT(src: number, K: number, N: number, ldb: number, dst: number): void;
  gemm(M: number, N: number, K: number, A: number, lda: number, aTrans: number, Bp: number, C: number, ldc: number, accumulate: number, work: number): void;
  /** Floats of scratch one gemm() call needs (its `work`). */
  WORK_FLOATS: WebAssembly.Global;
  sumRowsAcc(out: number, A: number, M: number, N: number, lda: number): void;
  heapBase(): number;
  lstmForward(z: number, cPrev: number, c: number, h: number, aux: number, B: number, H: number): void;
  lstmBackward(dh: number, above: number, dc: number, cPrev: number, aux: number, dz: number, dcPrev: number, dhPrev: number, dcTotal: number, B: number, H: number): void;
  gruForward(a: number, u: number, hPrev: number, h: number, aux: number, B: number, H: number): void;
  gruBackward(dh: number, above: number, hPrev: number, aux: number, da: number, du: number, dhPrev: number, B: number, H: number): void;
  rnnForward(a: number, h: number, n: number, relu: number): void;
  rnnBackward(dh: number, above: number, h: number, da: number, dhPrev: number, n: number, relu: number): void;
  addInto(dst: number, src: number, n: number): void;
  addRows(C: number, b: number, M: number, N: number): void;
}

const PAGE = 65536;
const ALIGN = 64;

export class WasmArena {
  readonly memory: WebAssembly.Memory;
  readonly kernel: GemmExports;
  private top: number;
  private view: Float32Array;
  private readonly pool: GemmPool | null = null;
  private readonly work: number;

  /** threads > 1: the shared-memory build, with threads − 1 helper workers for large GEMMs. */
  constructor(threads = 1) {
    const shared = threads > 1;
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
    const workBytes = align((this.kernel.WORK_FLOATS.value as number) * 4);
    this.work = align(this.kernel.heapBase());
    let base = this.work + workBytes;
    if (shared) {
      const control = base;
      const pieces = threads * PIECES_PER_THREAD;
      base = align(control + controlInts(threads) * 4);
      this.pool = new GemmPool(this.kernel, module, this.memory, control, threads - 1, base, workBytes);
      base += pieces * workBytes;
    }
    this.top = base;
    const need = Math.ceil(base / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (need > 0) this.memory.grow(need);
    this.view = new Float32Array(this.memory.buffer);
  }

  /** gemm() of assembly/gemm.ts, on several threads when it is large and helpers are running. */
  gemm(M: number, N: number, K: number, A: number, lda: number, aTrans: number, Bp: number, C: number, ldc: number, acc: number): void {
    if (this.pool) this.pool.gemm(M, N, K, A, lda, aTrans, Bp, C, ldc, acc);
    else this.kernel.gemm(M, N, K, A, lda, aTrans, Bp, C, ldc, acc, this.work);
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
   * Reserves room for `floats` float32 values; returns the byte offset. Growing the memory detaches
   * earlier views, so callers allocate everything first and take views (f32) after.
   */
  alloc(floats: number): number {
    const ptr = this.top;
    this.top = align(ptr + floats * 4);
    const need = Math.ceil(this.top / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (need > 0) {
      this.memory.grow(need);
      this.view = new Float32Array(this.memory.buffer);
    }
    return ptr;
  }

  /** A float32 view of `floats` values at byte offset ptr. */
  f32(ptr: number, floats: number): Float32Array {
    return this.view.subarray(ptr >> 2, (ptr >> 2) + floats);
  }

  /** Frees everything allocated since `mark()` returned m. */
  release(m: number): void {
    this.top = m;
  }

  mark(): number {
    return this.top;
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

/**
 * How many threads the fast backend's large GEMMs use (default: the RNNLAB_THREADS environment variable,
 * else the machine's cores, at most 4; always 1 outside Node). Takes effect for work started after it.
 */
export function setWasmThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new RangeError(`threads: expected an integer from 1 to 64, got ${String(threads)}`);
  }
  wantedThreads = threads;
  arena = undefined;
}

function defaultThreads(): number {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined>; getBuiltinModule?: (id: string) => unknown } }).process;
  const os = p?.getBuiltinModule?.('node:os') as { availableParallelism(): number } | undefined;
  if (!os) return 1;
  const env = p?.env?.RNNLAB_THREADS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`RNNLAB_THREADS: expected a positive integer, got ${JSON.stringify(env)}`);
    return n;
  }
  return Math.min(4, os.availableParallelism());
}

/** The process's (or worker's) arena, made on first use; null where WebAssembly SIMD is missing. */
export function wasmArena(): WasmArena | null {
  if (arena === undefined) {
    const threads = wantedThreads ?? defaultThreads();
    try {
      arena = new WasmArena(threads);
    } catch (e) {
      // No shared memory or no worker threads: one thread still runs everything.
      try {
        arena = threads > 1 ? new WasmArena(1) : null;
      } catch {
        arena = null;
      }
      failure = arena ? '' : e instanceof Error ? e.message : String(e);
    }
  }
  return arena;
}

/** Why wasmArena() is null ('' when it is not). */
export function wasmUnavailableReason(): string {
  wasmArena();
  return failure;
}

export function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

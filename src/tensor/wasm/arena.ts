/**
 * The WebAssembly kernels (assembly/: the GEMM and the fused cell steps) and the memory it works in, as the fast backend sees
 * them: one instance per thread, a scratch arena that each forward or backward call lays out at the
 * start and gives back at the end, and float32 views into it.
 *
 * Only float32 runs here; the plain-TypeScript kernels (../kernels.ts) stay the reference.
 */
import { GEMM_WASM } from './gemm-binary.js';

/** What the compiled module exports: byte offsets and sizes, see assembly/gemm.ts. */
export interface GemmExports {
  packNN(src: number, K: number, N: number, ldb: number, dst: number): void;
  packNT(src: number, K: number, N: number, ldb: number, dst: number): void;
  gemm(M: number, N: number, K: number, A: number, lda: number, aTrans: number, Bp: number, C: number, ldc: number, accumulate: number): void;
  sumRowsAcc(out: number, A: number, M: number, N: number, lda: number): void;
  heapBase(): number;
  lstmForward(z: number, cPrev: number, c: number, h: number, aux: number, B: number, H: number): void;
  lstmBackward(dh: number, above: number, dc: number, cPrev: number, aux: number, dz: number, dcPrev: number, dhPrev: number, dcTotal: number, B: number, H: number): void;
  gruForward(a: number, u: number, hPrev: number, h: number, aux: number, B: number, H: number): void;
  gruBackward(dh: number, above: number, hPrev: number, aux: number, da: number, du: number, dhPrev: number, B: number, H: number): void;
  rnnForward(a: number, h: number, n: number, relu: number): void;
  rnnBackward(dh: number, above: number, h: number, da: number, dhPrev: number, n: number, relu: number): void;
  addInto(dst: number, src: number, n: number): void;
}

const PAGE = 65536;
const ALIGN = 64;

export class WasmArena {
  readonly memory: WebAssembly.Memory;
  readonly kernel: GemmExports;
  private readonly base: number;
  private top: number;
  private view: Float32Array;

  constructor(bytes: Uint8Array<ArrayBuffer>) {
    this.memory = new WebAssembly.Memory({ initial: 16, maximum: 65536 });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
      env: {
        memory: this.memory,
        abort: () => {
          throw new Error('internal: the WebAssembly GEMM kernel aborted');
        },
      },
    });
    this.kernel = instance.exports as unknown as GemmExports;
    this.base = align(this.kernel.heapBase());
    this.top = this.base;
    this.view = new Float32Array(this.memory.buffer);
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

/** The process's (or worker's) arena, made on first use; null where WebAssembly SIMD is missing. */
export function wasmArena(): WasmArena | null {
  if (arena === undefined) {
    try {
      arena = new WasmArena(decodeBase64(GEMM_WASM));
    } catch (e) {
      arena = null;
      failure = e instanceof Error ? e.message : String(e);
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

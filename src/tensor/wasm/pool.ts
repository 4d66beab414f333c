/**
 * Worker threads for large GEMMs. The helpers run the same WebAssembly module on the same shared memory.
 * A large GEMM is cut into PIECES_PER_THREAD pieces per thread (by 8-column panels, or by rows when there
 * are few columns) and every thread, the caller included, takes pieces from a shared counter until none
 * are left. Nobody waits for a helper that the OS has not scheduled: the caller simply does more of the
 * pieces itself, so a busy machine costs speed but never stalls; nor for one still starting (it counts
 * in STARTED once it runs).
 *
 * Hand-off is a control block of int32s in the shared memory: the caller writes the pieces' arguments,
 * resets the counters and bumps `seq`; a helper spins briefly on `seq` (a time step's GEMMs come every few
 * tens of microseconds, faster than a futex wake-up) and then sleeps in Atomics.wait. The helpers are
 * Node's worker_threads in Node, and Web Workers (from a blob URL) in a page or a Web Worker that is
 * cross-origin isolated; a page without cross-origin isolation has no shared memory, so no helpers.
 */
import type { GemmExports } from './arena.js';
import { f32Bytes } from './bytes.js';

/** Pieces per GEMM, per thread: enough to even out, few enough that hand-off stays cheap. */
export const PIECES_PER_THREAD = 4;
// A piece is NARGS int32s: which kernel (its index in POOLED_KERNELS), then up to 11 arguments.
const SEQ = 0, NEXT = 1, FINISHED = 2, STARTED = 3, PIECES = 4, ARGS = 8, NARGS = 12;
/** Below this many multiply-adds a GEMM stays on one thread: the hand-off would cost more than it saves. */
const PARALLEL_MIN_MACS = 1 << 17;

/**
 * The kernels a piece can run: the GEMM, and kernels whose rows are independent, so that they can be
 * shared out by rows like a GEMM: the matrix-vector product (rows of W), the cells' fused step
 * kernels (assembly/cells.ts; rows are the sequences of the batch), and the LSTM's fused streaming
 * step (rows are its cells).
 */
export const POOLED_KERNELS = ['gemm', 'gemv', 'lstmCells', 'lstmForward', 'lstmBackward', 'gruForward', 'gruBackward', 'rnnForward', 'rnnBackward'] as const;
export type PooledKernel = (typeof POOLED_KERNELS)[number];
const GEMM = 0;

/**
 * kernel(...args), its arguments passed one by one (at most 11; a WebAssembly function ignores the ones
 * past its own): a spread call costs V8 far more than the small kernels it would start.
 */
export function callKernel(k: GemmExports, kernel: PooledKernel, a: readonly number[]): void {
  (k[kernel] as (...a: number[]) => void)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10]);
}

/** int32s the control block takes for `threads` threads. */
export function controlInts(threads: number): number {
  return ARGS + NARGS * PIECES_PER_THREAD * threads;
}

/** What a helper is given: the compiled module, the shared memory, and where its control block lies. */
interface HelperData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  base: number;
  ints: number;
}

/**
 * A helper's code, around `receive`: statements that call `run(data)` with its HelperData. One loop for
 * Node and the browser alike; only how the data arrives differs.
 */
const helperSource = (receive: string): string => `
function run({ module, memory, base, ints }) {
  const k = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('gemm worker aborted'); } } }).exports;
  const fns = ${JSON.stringify(POOLED_KERNELS)}.map((name) => k[name]);
  const c = new Int32Array(memory.buffer, base, ints);
  let seen = Atomics.load(c, ${SEQ});
  Atomics.add(c, ${STARTED}, 1);
  for (;;) {
    let spins = 0;
    while (Atomics.load(c, ${SEQ}) === seen) {
      if (++spins > 200000) { Atomics.wait(c, ${SEQ}, seen, 1000); spins = 0; }
    }
    seen = Atomics.load(c, ${SEQ});
    for (;;) {
      const i = Atomics.add(c, ${NEXT}, 1);
      if (i >= Atomics.load(c, ${PIECES})) break;
      const a = ${ARGS} + i * ${NARGS};
      fns[c[a]](c[a + 1], c[a + 2], c[a + 3], c[a + 4], c[a + 5], c[a + 6], c[a + 7], c[a + 8], c[a + 9], c[a + 10], c[a + 11]);
      Atomics.add(c, ${FINISHED}, 1);
    }
  }
}
${receive}
`;

/** Node: the data comes as workerData. */
const NODE_WORKER_SOURCE = helperSource(`run(require('node:worker_threads').workerData);`);
/**
 * A Web Worker: the data comes as the first message (a Module and a shared Memory can be posted), and
 * the loop never returns. A message that cannot be received here throws, so the page sees an error event.
 */
const BROWSER_WORKER_SOURCE = helperSource(`self.onmessage = (e) => { self.onmessage = null; run(e.data); };
self.onmessageerror = () => { throw new Error('gemm worker: the module or the shared memory could not be received'); };`);

/** A started helper, as close() sees it: Node's terminate() returns a promise, the browser's nothing. */
interface WorkerLike {
  terminate(): unknown;
}

/** Starts one helper; `onError` is called if it fails (to start, or later). */
type StartHelper = (data: HelperData, onError: () => void) => WorkerLike;

export class GemmPool {
  private readonly c: Int32Array;
  private readonly workers: WorkerLike[] = [];
  private readonly pieces: number;
  private stopped = false; // a helper died, or close() was called: GEMMs stay on the calling thread

  /**
   * `base` is the control block (controlInts(helpers + 1) int32s) and `work` the pieces' gemm scratch
   * (one per piece, workBytes apart), both already reserved in `memory`.
   */
  constructor(
    private readonly kernel: GemmExports,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    base: number,
    helpers: number,
    private readonly work: number,
    private readonly workBytes: number,
  ) {
    const starter = helperStarter();
    if (!starter) throw new Error('worker threads are not available here');
    const ints = controlInts(helpers + 1);
    this.c = new Int32Array(memory.buffer, base, ints);
    this.pieces = PIECES_PER_THREAD * (helpers + 1);
    Atomics.store(this.c, PIECES, this.pieces);
    Atomics.store(this.c, NEXT, this.pieces);
    try {
      for (let i = 0; i < helpers; i++) {
        this.workers.push(starter.start({ module, memory, base, ints }, () => {
          this.stopped = true;
        }));
      }
    } catch (e) {
      void this.close(); // the ones already started: the caller falls back to an arena without a pool
      throw e;
    } finally {
      starter.done();
    }
  }

  /** gemm() of assembly/gemm.ts, shared with the helpers when it is large enough. */
  gemm(M: number, N: number, K: number, A: number, lda: number, aTrans: number, Bp: number, C: number, ldc: number, acc: number): void {
    const n = this.pieces;
    const panels = Math.ceil(N / 8);
    // Split the larger side: a piece reads all of the operand it does not split, so splitting the
    // columns of a tall product would read its big A once per piece (and a transposed A is even repacked
    // by every piece). Rows when they outnumber the columns and there are enough of them.
    const byColumns = panels >= n && (M < N || M < 4 * n);
    if (this.stopped || Atomics.load(this.c, STARTED) === 0 || M * N * K < PARALLEL_MIN_MACS || (!byColumns && M < 4 * n)) {
      this.kernel.gemm(M, N, K, A, lda, aTrans, Bp, C, ldc, acc, this.work);
      return;
    }
    const c = this.c;
    for (let q = 0; q < n; q++) {
      const a = ARGS + q * NARGS;
      if (byColumns) {
        // Piece q: panels [p0, p1) of B and the same columns of C.
        const p0 = Math.floor((q * panels) / n), p1 = Math.floor(((q + 1) * panels) / n);
        c.set([GEMM, M, Math.min(N, p1 * 8) - p0 * 8, K, A, lda, aTrans, Bp + p0 * K * 32, C + p0 * 32, ldc, acc, this.work + q * this.workBytes], a);
      } else {
        // Piece q: rows [i0, i1) of A and C.
        const i0 = Math.floor((q * M) / n), i1 = Math.floor(((q + 1) * M) / n);
        c.set([GEMM, i1 - i0, N, K, A + f32Bytes(i0 * (aTrans ? 1 : lda)), lda, aTrans, Bp, C + f32Bytes(i0 * ldc), ldc, acc, this.work + q * this.workBytes], a);
      }
    }
    this.runPieces(n);
  }

  /**
   * A row-wise kernel over `rows` independent rows, shared out by rows when it is worth it: `args` are
   * its arguments for all rows, argument i a pointer that moves `rowBytes[i]` bytes per row (0: not a
   * row pointer, and a null pointer stays null), and argument `rowsAt` the row count. The rows are
   * computed exactly as on one thread: each is the same arithmetic wherever it runs. `onePerThread`:
   * as many pieces as threads, so that from call to call each thread tends to take the same piece and
   * finds its part of a weight still in its own cache (the caller starts at once and takes the first).
   */
  rows(kernel: PooledKernel, rows: number, args: readonly number[], rowBytes: readonly number[], rowsAt: number, onePerThread = false): void {
    const fn = POOLED_KERNELS.indexOf(kernel);
    const n = Math.min(onePerThread ? this.pieces / PIECES_PER_THREAD : this.pieces, rows);
    if (this.stopped || Atomics.load(this.c, STARTED) === 0 || n < 2) {
      callKernel(this.kernel, kernel, args);
      return;
    }
    const c = this.c;
    for (let q = 0; q < n; q++) {
      const r0 = Math.floor((q * rows) / n), r1 = Math.floor(((q + 1) * rows) / n);
      const a = ARGS + q * NARGS;
      c[a] = fn;
      for (let i = 0; i < args.length; i++) c[a + 1 + i] = i === rowsAt ? r1 - r0 : args[i] !== 0 && rowBytes[i] ? args[i] + r0 * rowBytes[i] : args[i];
    }
    this.runPieces(n);
  }

  /** Hands pieces [0, n) of the control block out, takes its own share of them, and waits for the rest. */
  private runPieces(n: number): void {
    const c = this.c;
    Atomics.store(c, PIECES, n);
    Atomics.store(c, FINISHED, 0);
    Atomics.store(c, NEXT, 0);
    Atomics.add(c, SEQ, 1);
    Atomics.notify(c, SEQ);
    for (;;) {
      const i = Atomics.add(c, NEXT, 1);
      if (i >= n) break;
      const a = ARGS + i * NARGS;
      (this.kernel[POOLED_KERNELS[c[a]]] as (...a: number[]) => void)(c[a + 1], c[a + 2], c[a + 3], c[a + 4], c[a + 5], c[a + 6], c[a + 7], c[a + 8], c[a + 9], c[a + 10], c[a + 11]);
      Atomics.add(c, FINISHED, 1);
    }
    // Only pieces a helper has already taken are left: wait for those. A helper that died (its error
    // event cannot arrive while this loop holds the thread) would leave us here: give up after a minute.
    let spins = 0;
    const started = Date.now();
    while (Atomics.load(c, FINISHED) < n) {
      if (++spins > 1_000_000) {
        spins = 0;
        if (Date.now() - started > 60_000) throw new Error('internal: a GEMM worker thread stopped answering');
      }
    }
  }

  /** Threads that take GEMM pieces now (helpers count once started). */
  get threads(): number {
    return this.stopped ? 1 : 1 + Atomics.load(this.c, STARTED);
  }

  async close(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

interface WorkerThreadsModule {
  Worker: new (src: string, opts: { eval: boolean; workerData: unknown }) => {
    unref(): void;
    terminate(): Promise<number>;
    on(event: 'error', cb: (e: Error) => void): void;
  };
}

interface BrowserWorkerScope {
  Worker?: new (url: string) => {
    terminate(): void;
    postMessage(message: unknown): void;
    addEventListener(event: 'error', cb: () => void): void;
  };
  crossOriginIsolated?: boolean;
}

/**
 * How helpers start here, and `done` to call once they all have; null where they cannot: Node's
 * worker_threads, else a cross-origin isolated page or Web Worker's Worker (shared memory can only be
 * posted where the context is cross-origin isolated).
 */
function helperStarter(): { start: StartHelper; done(): void } | null {
  const wt = nodeWorkerThreads();
  if (wt) {
    return {
      start: (data, onError) => {
        const w = new wt.Worker(NODE_WORKER_SOURCE, { eval: true, workerData: data });
        w.on('error', onError);
        w.unref(); // an idle helper never keeps the process alive
        return w;
      },
      done: () => {},
    };
  }
  const g = globalThis as BrowserWorkerScope;
  const BrowserWorker = g.Worker;
  if (BrowserWorker === undefined || g.crossOriginIsolated !== true || typeof URL.createObjectURL !== 'function') return null;
  let url: string | null = null;
  return {
    start: (data, onError) => {
      url ??= URL.createObjectURL(new Blob([BROWSER_WORKER_SOURCE], { type: 'text/javascript' }));
      const w = new BrowserWorker(url);
      // A script that fails to load or throws (a message it could not receive included) fires 'error'.
      w.addEventListener('error', onError);
      w.postMessage(data);
      return w;
    },
    // The workers have their script once constructed: the URL is not needed any more.
    done: () => {
      if (url !== null) URL.revokeObjectURL(url);
    },
  };
}

function nodeWorkerThreads(): WorkerThreadsModule | null {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return (p?.getBuiltinModule?.('node:worker_threads') as WorkerThreadsModule | undefined) ?? null;
}

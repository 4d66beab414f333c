/**
 * The training worker. It trains in slices of about 40 ms and yields between them, so that a "stop", a
 * "sample" or a "save" from the page is answered within one slice, and the page's own thread never runs
 * model code. Each slice sends its losses back in one message, with the threads the fast backend runs
 * on and the median time of a training step (the step alone: not the evaluations, samples or messages).
 *
 * The fast backend's large GEMMs share helper Web Workers (src/tensor/wasm/pool.ts) when the page is
 * cross-origin isolated; they start in the background, and a run waits for them (briefly) before its
 * first step, so the first steps are not timed on fewer threads than the rest.
 */
import {
  CHECKPOINT_MANIFEST, CHECKPOINT_WEIGHTS, CheckpointError, decodeCheckpoint, decodeCheckpointArchive, type
  LoadedCheckpoint,
} from 'rnnlab';
import { wasmArena, type WasmArena } from '../../src/tensor/wasm/arena.js';
import { STEP_WINDOW, type FromWorker, type LossPointMsg, type ToWorker, type TrainConfig, type WorkerError } from './protocol.js';
import { TaskUnavailable, taskFromChoice, taskFromSpec } from './train-tasks.js';
import { TrainSession, describe } from './train-session.js';
import { workerScope } from './worker-scope.js';

const SLICE_MS = 40;
const AUTO_SAMPLE_LENGTH = 160;
/** How long a run waits for the fast backend's helper threads to start. */
const THREADS_WAIT_MS = 3000;

const scope = workerScope<ToWorker, FromWorker>();
let session: TrainSession | null = null;
let running = false;
let until = 0;
let evalEvery = 25;
/** Bumped by every start/stop/load, so a slice scheduled for an earlier run does nothing. */
let generation = 0;
/** Milliseconds of the latest training steps, at most STEP_WINDOW, oldest first. */
let stepTimes: number[] = [];
/** The arena whose helpers a run has waited for: once is enough (a helper that failed never comes). */
let threadsAwaited: WasmArena | null = null;

const post = (m: FromWorker, transfer?: Transferable[]): void => scope.postMessage(m, transfer);
const fail = (during: WorkerError['during'], e: unknown): void => post({ type: 'error', during, message: e instanceof Error ? e.message : String(e) });

function slice(gen: number): void {
  if (gen !== generation || !running || session === null) return;
  const s = session;
  const t0 = performance.now();
  const points: LossPointMsg[] = [];
  let metric = Number.NaN, evalMetric: number | undefined;
  let sampleDue = false;
  try {
    while (s.step < until && performance.now() - t0 < SLICE_MS) {
      const ts = performance.now();
      const r = s.trainStep();
      stepTimes.push(performance.now() - ts);
      if (stepTimes.length > STEP_WINDOW) stepTimes.shift();
      metric = r.metric;
      const p: LossPointMsg = { step: r.step, loss: r.loss };
      if (r.step % evalEvery === 0 || r.step === until) {
        const ev = s.evaluate();
        p.evalLoss = ev.loss;
        evalMetric = ev.metric;
        sampleDue = true;
      }
      points.push(p);
    }
  } catch (e) {
    running = false;
    fail('train', e);
    post({ type: 'stopped', step: s.step, reason: 'stopped' });
    return;
  }
  const seconds = (performance.now() - t0) / 1000;
  post({
    type: 'progress', points, step: s.step, stepsPerSecond: points.length / Math.max(seconds, 1e-3), metric, ...(evalMetric === undefined ? {} : { evalMetric }),
    backend: s.model.backend, threads: s.model.backend === 'wasm' ? wasmArena()?.threads ?? 1 : 1, stepMs: median(stepTimes),
  });
  if (sampleDue) {
    try {
      const prime = s.autoPrime();
      const text = prime === null ? null : s.sample(prime, 0.8, AUTO_SAMPLE_LENGTH, s.step);
      if (text !== null) post({ type: 'sample', prime: prime!, text, auto: true });
    } catch (e) {
      fail('sample', e);
    }
  }
  if (s.step >= until) {
    running = false;
    post({ type: 'stopped', step: s.step, reason: 'done' });
    return;
  }
  setTimeout(() => slice(gen), 0);
}

function median(a: number[]): number {
  if (a.length === 0) return Number.NaN;
  const s = [...a].sort((x, y) => x - y), m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function run(to: number, config: TrainConfig): Promise<void> {
  if (session === null) return;
  // The form's settings apply from here on, to a loaded checkpoint's optimizer too.
  session.configure(config);
  evalEvery = config.evalEvery;
  until = to;
  stepTimes = [];
  const gen = ++generation;
  // Until its helpers run, the fast backend computes on this thread alone (correct, only slower).
  const ar = session.model.backend === 'wasm' ? wasmArena() : null;
  if (ar && ar !== threadsAwaited) {
    threadsAwaited = ar;
    await ar.waitForThreads(ar.plannedThreads, THREADS_WAIT_MS);
  }
  if (gen !== generation) return;
  running = true;
  setTimeout(() => slice(gen), 0);
}

/** A .tar archive, or checkpoint.json with model.safetensors (from a CLI checkpoint directory). */
function decodeFiles(files: { name: string; bytes: ArrayBuffer }[]): LoadedCheckpoint {
  if (files.length === 1) return decodeCheckpointArchive(new Uint8Array(files[0].bytes), files[0].name);
  const manifest = files.find((f) => f.name === CHECKPOINT_MANIFEST), weights = files.find((f) => f.name === CHECKPOINT_WEIGHTS);
  if (files.length !== 2 || manifest === undefined || weights === undefined) {
    throw new CheckpointError(`${files.map((f) => f.name).join(', ')}: expected one .tar checkpoint, or ${CHECKPOINT_MANIFEST} and ${CHECKPOINT_WEIGHTS} from one checkpoint directory, got ${files.length} files`);
  }
  return decodeCheckpoint(new Uint8Array(manifest.bytes), () => new Uint8Array(weights.bytes), { manifest: CHECKPOINT_MANIFEST, weights: CHECKPOINT_WEIGHTS, path: CHECKPOINT_MANIFEST });
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'start': {
      generation++;
      running = false;
      try {
        const task = await taskFromChoice(m.config.task);
        session = TrainSession.fresh(m.config, task);
      } catch (e) {
        fail('start', e);
        return;
      }
      post({ type: 'ready', info: session.info(), reason: 'start' });
      await run(m.steps, m.config);
      return;
    }
    case 'stop':
      if (running) {
        running = false;
        generation++;
        post({ type: 'stopped', step: session?.step ?? 0, reason: 'stopped' });
      }
      return;
    case 'resume':
      if (session !== null && !running) await run(Math.max(m.until, session.step + 1), m.config);
      return;
    case 'sample':
      try {
        const text = session?.sample(m.prime, m.temperature, m.length, Date.now() % 100000) ?? null;
        if (text !== null) post({ type: 'sample', prime: m.prime, text, auto: false });
      } catch (e) {
        fail('sample', e);
      }
      return;
    case 'save':
      try {
        if (session === null) throw new Error('there is no model to save: train one, or load one whose task the lab has');
        const ck = session.checkpoint();
        const bytes = ck.bytes.slice().buffer;
        const name = `rnnlab-${session.task.name}-${ck.fileName}`;
        post({ type: 'checkpoint', fileName: name, bytes }, [bytes]);
      } catch (e) {
        fail('save', e);
      }
      return;
    case 'load': {
      const name = m.files.map((f) => f.name).join(' + ');
      let ck: LoadedCheckpoint;
      try {
        ck = decodeFiles(m.files);
      } catch (e) {
        // A damaged file is the user's to fix, said plainly; anything else is a bug, said as such.
        fail('load', e instanceof CheckpointError ? e : new Error(`${name}: could not be read (${(e as Error).message})`));
        return;
      }
      generation++;
      running = false;
      try {
        const task = ck.task === null ? null : await taskFromSpec(ck.task);
        if (task === null) throw new TaskUnavailable('it records no task (it was not saved by rnnlab train or the lab)');
        session = TrainSession.restore(ck, task, m.config);
        post({ type: 'ready', info: session.info(), reason: 'load', fileName: name });
      } catch (e) {
        if (!(e instanceof TaskUnavailable)) {
          fail('load', new Error(`${name}: the checkpoint is valid, but ${(e as Error).message}`));
          return;
        }
        // The model is valid but has nothing to train on here: say so, and keep no session.
        session = null;
        post({ type: 'ready', info: describe(ck.model, null, ck.step, `Loaded, but ${e.message}.`), reason: 'load', fileName: name });
      }
      return;
    }
  }
}

// Messages are handled one at a time, in order: a "load" that awaits the built-in text must finish
// before a "start" that follows it.
let chain: Promise<void> = Promise.resolve();
scope.onmessage = (e) => {
  chain = chain.then(() => handle(e.data));
};

/**
 * `rnnlab demo`: the tutorial's RNN, trained end to end in a few seconds, so that a newcomer sees every
 * moving part once: forward over the whole sequence, the loss, BPTT, clipping by global norm, an
 * optimizer step, and the loss falling below what a memoryless guess can do.
 */
import { clipGradNorm } from '../optim/clip.js';
import { Adam } from '../optim/adam.js';
import { mseLoss } from '../layers/loss.js';
import { RNN } from '../layers/tutorial.js';
import { Rng } from '../tensor/random.js';
import { repeatLastBaseline, sineBatch } from '../tasks/sine.js';

export interface DemoOptions {
  steps: number;
  hidden: number;
  seqLen: number;
  batch: number;
  lr: number;
  clip: number;
  seed: number;
  every: number;
}

export const demoDefaults: DemoOptions = { steps: 400, hidden: 32, seqLen: 40, batch: 16, lr: 0.01, clip: 1, seed: 0, every: 25 };

export interface DemoResult {
  /** [step, training loss] at every report. */
  curve: [number, number][];
  testLoss: number;
  baseline: number;
  clippedSteps: number;
}

export function runDemo(o: DemoOptions, log: (line: string) => void = console.log): DemoResult {
  const rng = new Rng(o.seed);
  const task = { seqLen: o.seqLen, batchSize: o.batch };
  // The tutorial's constructor: RNN(inputSize, hiddenSize, outputSize) with a linear head at every step.
  const rnn = new RNN(1, o.hidden, 1, { seed: o.seed });
  const opt = new Adam(rnn, { lr: o.lr });
  const test = sineBatch(new Rng(o.seed + 1_000_003), { ...task, batchSize: 256 });
  const baseline = repeatLastBaseline(test);

  log(`rnnlab demo: a vanilla RNN (tanh, 1 → ${o.hidden} → 1, ${rnn.numParameters()} parameters) learns to predict`);
  log(`the next value of sine waves of unknown frequency and phase, ${o.seqLen} steps long, batches of ${o.batch}.`);
  log(`Full BPTT over all ${o.seqLen} steps, gradients clipped to global norm ${o.clip}, Adam lr ${o.lr}, seed ${o.seed}.`);
  log(`Baseline "next = current" (no memory): test MSE ${baseline.toFixed(5)}\n`);
  log('  step   train MSE   grad norm');

  const curve: [number, number][] = [];
  let clippedSteps = 0, avg = 0, n = 0;
  for (let step = 1; step <= o.steps; step++) {
    const { x, y } = sineBatch(rng, task);
    const { output } = rnn.forward(x); //           [T, B, 1], every h_t kept for BPTT
    const { loss, grad } = mseLoss(output, y); //   dL/d(output) at every step
    rnn.zeroGrad();
    rnn.backward(grad); //                          BPTT: gradients of every weight
    const norm = clipGradNorm(rnn, o.clip); //      ‖g‖ before clipping; scaled in place if > clip
    if (norm > o.clip) clippedSteps++;
    opt.step();
    avg += loss;
    n++;
    if (step % o.every === 0 || step === 1 || step === o.steps) {
      const mean = avg / n;
      curve.push([step, mean]);
      log(`${String(step).padStart(6)}   ${mean.toFixed(5).padStart(9)}   ${norm.toFixed(3).padStart(9)}`);
      avg = 0;
      n = 0;
    }
  }
  const testLoss = mseLoss(rnn.forward(test.x).output, test.y).loss;
  const verdict = testLoss < baseline ? `${(baseline / testLoss).toFixed(1)}× lower` : 'not below it yet: train longer';
  log(`\nTest MSE ${testLoss.toFixed(5)} vs baseline ${baseline.toFixed(5)} (${verdict}); ` +
    `clipping was active on ${clippedSteps} of ${o.steps} steps.`);
  return { curve, testLoss, baseline, clippedSteps };
}

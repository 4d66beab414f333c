/**
 * Runs an exported model in onnxruntime-web (its WebAssembly CPU backend, in Node) next to rnnlab's
 * forward on the same random input, state and lengths, and checks y, h_n and c_n agree to float32
 * rounding. Shared by the ONNX export tests, one-directional and bidirectional.
 */
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-web';
import { LSTM, Rng, tensor, type GRU, type RNN, type Tensor } from '../../src/index.js';
import { exportOnnx, type OnnxExportOptions } from '../../src/io/onnx.js';
import { maxRelError } from './fixtures.js';

export type Model = RNN | LSTM | GRU;

/** Max error relative to scale allowed between onnxruntime and rnnlab (float32 either way). */
export const ONNX_TOLERANCE = 1e-5;

export function random(rng: Rng, shape: readonly number[]): Float32Array {
  const d = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < d.length; i++) d[i] = rng.uniform(-1, 1);
  return d;
}

export interface OnnxRun {
  /** onnxruntime's outputs. */
  got: ort.InferenceSession.OnnxValueMapType;
  /** rnnlab's forward on the same input. */
  ref: { output: Tensor; h: Tensor; c?: Tensor };
  /** The max relative errors measured, per output. */
  errors: { y: number; h_n: number; c_n?: number };
}

export interface CheckExtra {
  /** Each sequence's length: fed as sequence_lens and given to forward as { lengths } (needs options.sequenceLens). */
  lengths?: readonly number[];
  /** An already exported file (default: exportOnnx(model, options)). */
  bytes?: Uint8Array;
}

/** Runs the exported model in onnxruntime and compares with model.forward on the same input. */
export async function checkOnnx(model: Model, shape: [number, number], options: OnnxExportOptions = {}, extra: CheckExtra = {}): Promise<OnnxRun> {
  const session = await ort.InferenceSession.create(extra.bytes ?? exportOnnx(model, options));
  const rng = new Rng(42);
  const [T, B] = shape;
  const D = model.inputSize, S = model.numLayers * model.numDirections, H = model.hiddenSize;
  const xShape = model.batchFirst ? [B, T, D] : [T, B, D];
  const x = random(rng, xShape);
  const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor('float32', x, xShape) };
  const state: { h?: Tensor; c?: Tensor } = {};
  if (options.initialState) {
    const h0 = random(rng, [S, B, H]);
    feeds.h0 = new ort.Tensor('float32', h0, [S, B, H]);
    state.h = tensor(h0, [S, B, H], model.dtype);
    if (model instanceof LSTM) {
      const c0 = random(rng, [S, B, H]);
      feeds.c0 = new ort.Tensor('float32', c0, [S, B, H]);
      state.c = tensor(c0, [S, B, H], model.dtype);
    }
  }
  if (extra.lengths) feeds.sequence_lens = new ort.Tensor('int32', Int32Array.from(extra.lengths), [B]);
  const got = await session.run(feeds);
  const ref = model.forward(tensor(x, xShape, model.dtype), state, extra.lengths ? { lengths: extra.lengths } : {});
  assert.deepEqual(got.y.dims, ref.output.shape);
  assert.deepEqual(got.h_n.dims, [S, B, H]);
  const errors: OnnxRun['errors'] = {
    y: maxRelError(got.y.data as Float32Array, ref.output),
    h_n: maxRelError(got.h_n.data as Float32Array, ref.h),
  };
  assert.ok(errors.y < ONNX_TOLERANCE, `output: max relative error ${errors.y}`);
  assert.ok(errors.h_n < ONNX_TOLERANCE, `h_n: max relative error ${errors.h_n}`);
  if (model instanceof LSTM) {
    assert.deepEqual(got.c_n.dims, [S, B, H]);
    errors.c_n = maxRelError(got.c_n.data as Float32Array, ref.c!);
    assert.ok(errors.c_n < ONNX_TOLERANCE, `c_n: max relative error ${errors.c_n}`);
  } else {
    assert.equal(got.c_n, undefined);
  }
  return { got, ref, errors };
}

/** The errors of a run as one line, for the test log (t.diagnostic). */
export function describeErrors(e: OnnxRun['errors']): string {
  return `max relative error vs rnnlab: y ${e.y.toExponential(2)}, h_n ${e.h_n.toExponential(2)}${e.c_n === undefined ? '' : `, c_n ${e.c_n.toExponential(2)}`}`;
}

/**
 * The Keras / TF.js cell variants: recurrentActivation 'hardSigmoid' (LSTM, GRU) and the reset-before GRU
 * (resetAfter: false). Each forward/backward is held to central finite differences in float64 (one step
 * of the cell, and whole bidirectional two-layer padded layers), and to TF.js's own layers
 * (tf.layers.lstm / gru on the CPU backend, float32, < 1e-5 relative): outputs, final states, and the
 * weight gradients TF.js's autodiff gives (tf.variableGrads). Around them: the defaults stay the standard
 * ops, the wasm backend refuses a variant by name, checkpoints keep the options, bad values are named.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { HARD_SIGMOID_GATE, SIGMOID_GATE, hardSigmoid, type GateActivation } from '../src/cells/gate-activation.js';
import { gruOps, gruOpsFor, gruOpsWith } from '../src/cells/gru.js';
import { gruResetBeforeOps } from '../src/cells/gru-reset-before.js';
import { lstmOps, lstmOpsFor, lstmOpsWith } from '../src/cells/lstm.js';
import { stepBackward, stepForward, type CellOps, type CellWeights } from '../src/cells/ops.js';
import { decodeCheckpoint, encodeCheckpoint, modelConfig } from '../src/io/checkpoint-codec.js';
import { manifestChecksum } from '../src/io/checkpoint-format.js';
import { importKerasWeights } from '../src/io/keras.js';
import { GRU, LSTM, RNN } from '../src/layers/models.js';
import { Rng } from '../src/tensor/random.js';
import { tensor, type Tensor } from '../src/tensor/tensor.js';
import { maxRelError } from './helpers/fixtures.js';

const randn = (n: number, rng: Rng, scale = 1): Float64Array => Float64Array.from({ length: n }, () => scale * rng.normal());
const randt = (shape: number[], rng: Rng, scale = 1): Tensor => tensor(randn(shape.reduce((a, b) => a * b, 1), rng, scale), shape, 'float64');
const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/**
 * The worst, over the arrays of `wrt`, of ‖analytic − numeric‖ / max(‖analytic‖, ‖numeric‖), the numeric
 * gradient by central differences (L(θ + ε) − L(θ − ε)) / 2ε with ε = 1e-6 in float64. ε is small so that
 * no step crosses one of hardSigmoid's kinks; the norm keeps entries near 0 from turning rounding into ratios.
 */
function finiteDifferenceError(loss: () => number, wrt: Record<string, ArrayLike<number> & { [i: number]: number }>, analytic: Record<string, ArrayLike<number>>): { error: number; at: string } {
  let error = 0, at = '';
  for (const [name, p] of Object.entries(wrt)) {
    let diff = 0, na = 0, nn = 0;
    for (let i = 0; i < p.length; i++) {
      const keep = p[i];
      p[i] = keep + 1e-6;
      const up = loss();
      p[i] = keep - 1e-6;
      const down = loss();
      p[i] = keep;
      const numeric = (up - down) / 2e-6, a = analytic[name][i];
      diff += (a - numeric) ** 2;
      na += a * a;
      nn += numeric * numeric;
    }
    const e = Math.sqrt(diff) / Math.max(Math.sqrt(na), Math.sqrt(nn), 1e-300);
    if (e > error) [error, at] = [e, name];
  }
  return { error, at };
}

const VARIANTS: { label: string; ops: CellOps; gate: GateActivation }[] = [
  { label: 'LSTM, hardSigmoid gates', ops: lstmOpsWith(HARD_SIGMOID_GATE), gate: HARD_SIGMOID_GATE },
  { label: 'GRU reset-after, hardSigmoid gates', ops: gruOpsWith(HARD_SIGMOID_GATE), gate: HARD_SIGMOID_GATE },
  { label: 'GRU reset-before, sigmoid gates', ops: gruResetBeforeOps(SIGMOID_GATE), gate: SIGMOID_GATE },
  { label: 'GRU reset-before, hardSigmoid gates', ops: gruResetBeforeOps(HARD_SIGMOID_GATE), gate: HARD_SIGMOID_GATE },
];

/** One step of `ops` at random weights (scaled so that hardSigmoid clips some gates), its loss and its backward. */
function oneStep(ops: CellOps, seed: number) {
  const B = 3, D = 4, H = 5, G = ops.gates * H, rng = new Rng(seed);
  const w: CellWeights = { weightIh: randn(G * D, rng, 1.2), weightHh: randn(G * H, rng, 1.2), biasIh: randn(G, rng), biasHh: randn(G, rng) };
  const x = randn(B * D, rng), hPrev = randn(B * H, rng), cPrev = ops.hasCell ? randn(B * H, rng) : null;
  const gh = randn(B * H, rng), gc = ops.hasCell ? randn(B * H, rng) : null;
  const aux = new Float64Array(B * ops.auxWidth(H));
  const run = () => {
    const s = { B, x, hPrev, cPrev, h: new Float64Array(B * H), c: ops.hasCell ? new Float64Array(B * H) : null, aux };
    stepForward(ops, w, D, H, s);
    return s;
  };
  const loss = (): number => {
    const s = run();
    return dot(s.h, gh) + (s.c ? dot(s.c, gc!) : 0);
  };
  const s = run();
  const g: CellWeights = { weightIh: new Float64Array(G * D), weightHh: new Float64Array(G * H), biasIh: new Float64Array(G), biasHh: new Float64Array(G) };
  const dx = new Float64Array(B * D), dhPrev = new Float64Array(B * H), dcPrev = ops.hasCell ? new Float64Array(B * H) : null;
  stepBackward(ops, w, g, D, H, { ...s, dh: gh, dc: gc, dx, dhPrev, dcPrev });
  const wrt = { weightIh: w.weightIh, weightHh: w.weightHh, biasIh: w.biasIh!, biasHh: w.biasHh!, x, hPrev, ...(cPrev ? { cPrev } : {}) };
  const analytic = { weightIh: g.weightIh, weightHh: g.weightHh, biasIh: g.biasIh!, biasHh: g.biasHh!, x: dx, hPrev: dhPrev, ...(dcPrev ? { cPrev: dcPrev } : {}) };
  return { loss, wrt, analytic, s, gh, gc, g, dx, dhPrev, dcPrev, H, B };
}

/** The gate values of a step's aux (LSTM i, f, o; GRU r, z), to see that both sides of the clip are exercised. */
function gateValues(ops: CellOps, aux: Float64Array, B: number, H: number): number[] {
  const A = ops.auxWidth(H), blocks = ops.kind === 'lstm' ? [0, 1, 3] : [0, 1];
  const out: number[] = [];
  for (let b = 0; b < B; b++) for (const k of blocks) for (let j = 0; j < H; j++) out.push(aux[b * A + k * H + j]);
  return out;
}

before(async () => {
  await tf.setBackend('cpu');
});

describe('hardSigmoid', () => {
  it('is TF.js\'s hardSigmoid, clip(0.2x + 0.5, 0, 1), on both sides of the clip and on the ramp', () => {
    const xs = [-7, -2.5, -2.4, -1, 0, 0.3, 1.7, 2.5, 2.6, 9];
    const theirs = (tf.layers.activation({ activation: 'hardSigmoid' }).apply(tf.tensor1d(xs)) as tf.Tensor).dataSync();
    assert.ok(maxRelError(xs.map(hardSigmoid), theirs) < 1e-7);
    assert.deepEqual([hardSigmoid(-3), hardSigmoid(0), hardSigmoid(3)], [0, 0.5, 1]);
  });

  it('its slope is 0.2 on the ramp and 0 where clipped, as central differences say', () => {
    for (const x of [-4, -2.49, -1, 0.2, 2.4, 3.1]) {
      const numeric = (hardSigmoid(x + 1e-6) - hardSigmoid(x - 1e-6)) / 2e-6;
      assert.ok(Math.abs(HARD_SIGMOID_GATE.backprop(1, hardSigmoid(x)) - numeric) < 1e-9, `x = ${x}`);
    }
  });
});

describe('the defaults are the standard cells', () => {
  it('sigmoid gates and resetAfter true give the very ops objects the LSTM and GRU always had', () => {
    assert.equal(lstmOpsFor(undefined), lstmOps);
    assert.equal(lstmOpsFor('sigmoid'), lstmOps);
    assert.equal(gruOpsFor({}), gruOps);
    assert.equal(gruOpsFor({ resetAfter: true, recurrentActivation: 'sigmoid' }), gruOps);
    assert.equal(lstmOps.variant, undefined);
    assert.equal(gruOps.variant, undefined);
  });

  for (const [label, generic, standard] of [['LSTM', lstmOpsWith(SIGMOID_GATE), lstmOps], ['GRU', gruOpsWith(SIGMOID_GATE), gruOps]] as const) {
    it(`${label}: the variant loop with sigmoid gates computes the standard cell's step and gradients (to 1e-14)`, () => {
      const a = oneStep(generic, 3), b = oneStep(standard, 3);
      assert.ok(maxRelError(a.s.h, b.s.h) < 1e-14);
      for (const k of Object.keys(a.analytic) as (keyof typeof a.analytic)[]) assert.ok(maxRelError(a.analytic[k]!, b.analytic[k]!) < 1e-14, k);
    });
  }
});

describe('finite differences (float64, central, ε = 1e-6)', () => {
  for (const v of VARIANTS) {
    it(`${v.label}: one step's gradients for every weight, x, h_{t-1} (and c_{t-1}) match (< 1e-6)`, () => {
      const st = oneStep(v.ops, 5);
      if (v.gate === HARD_SIGMOID_GATE) {
        const gates = gateValues(v.ops, st.s.aux, st.B, st.H);
        const clipped = gates.filter((y) => y === 0 || y === 1).length;
        assert.ok(clipped >= 3 && clipped <= gates.length - 3, `both sides of the clip: ${clipped} of ${gates.length} clipped`);
      }
      const { error, at } = finiteDifferenceError(st.loss, st.wrt, st.analytic);
      assert.ok(error < 1e-6, `${error} at ${at}`);
    });
  }

  const layers: { label: string; make: () => LSTM | GRU }[] = [
    { label: 'LSTM({ recurrentActivation: hardSigmoid })', make: () => new LSTM({ inputSize: 3, hiddenSize: 2, numLayers: 2, bidirectional: true, dtype: 'float64', recurrentActivation: 'hardSigmoid' }) },
    { label: 'GRU({ recurrentActivation: hardSigmoid })', make: () => new GRU({ inputSize: 3, hiddenSize: 2, numLayers: 2, bidirectional: true, dtype: 'float64', recurrentActivation: 'hardSigmoid' }) },
    { label: 'GRU({ resetAfter: false })', make: () => new GRU({ inputSize: 3, hiddenSize: 2, numLayers: 2, bidirectional: true, dtype: 'float64', resetAfter: false }) },
    { label: 'GRU({ resetAfter: false, recurrentActivation: hardSigmoid })', make: () => new GRU({ inputSize: 3, hiddenSize: 2, numLayers: 2, bidirectional: true, dtype: 'float64', resetAfter: false, recurrentActivation: 'hardSigmoid' }) },
  ];
  for (const { label, make } of layers) {
    it(`${label}, bidirectional, two layers, a padded batch: every parameter's, x's and the initial state's gradients match (< 1e-6)`, () => {
      const m = make(), rng = new Rng(21);
      for (const p of m.parameters()) p.param.data.set(randn(p.param.size, rng, 1.5));
      const lstm = m instanceof LSTM;
      const x = randt([4, 3, 3], rng), g = randt([4, 3, 4], rng), gh = randt([4, 3, 2], rng), gc = randt([4, 3, 2], rng);
      const h0 = randt([4, 3, 2], rng), c0 = randt([4, 3, 2], rng);
      const lengths = [2, 4, 1];
      const state = lstm ? { h: h0, c: c0 } : { h: h0 };
      const loss = (): number => {
        const r = m.forward(x, state, { lengths });
        return dot(r.output.data, g.data) + dot(r.h.data, gh.data) + (r.c ? dot(r.c.data, gc.data) : 0);
      };
      m.forward(x, state, { lengths });
      const back = m.backward(g, lstm ? { h: gh, c: gc } : { h: gh });
      const params = Object.fromEntries(m.parameters().map((p) => [p.name, p.param.data]));
      const grads = Object.fromEntries(Object.entries(m.gradients()).map(([k, t]) => [k, t.data]));
      const wrt = { ...params, x: x.data, h0: h0.data, ...(lstm ? { c0: c0.data } : {}) };
      const analytic = { ...grads, x: back.dx.data, h0: back.dh.data, ...(lstm ? { c0: back.dc!.data } : {}) };
      const { error, at } = finiteDifferenceError(loss, wrt, analytic);
      assert.ok(error < 1e-6, `${error} at ${at}`);
    });
  }
});

describe('options and backends', () => {
  it('a variant on float32 with backend auto runs on the reference backend; a standard cell keeps its choice', () => {
    assert.equal(new LSTM({ inputSize: 2, hiddenSize: 2, recurrentActivation: 'hardSigmoid' }).backend, 'reference');
    assert.equal(new GRU({ inputSize: 2, hiddenSize: 2, resetAfter: false }).backend, 'reference');
    assert.equal(new GRU({ inputSize: 2, hiddenSize: 2, backend: 'reference' }).backend, 'reference');
  });

  it('backend wasm with a variant is an error naming the option and why', () => {
    assert.throws(() => new LSTM({ inputSize: 2, hiddenSize: 2, recurrentActivation: 'hardSigmoid', backend: 'wasm' }),
      /backend: 'wasm' has fused kernels for the standard cells only, not for options\.recurrentActivation "hardSigmoid"; that cell runs on backend 'reference'/);
    assert.throws(() => new GRU({ inputSize: 2, hiddenSize: 2, resetAfter: false, backend: 'wasm' }), /not for options\.resetAfter false/);
  });

  it('a bad recurrentActivation or resetAfter is named, and each option belongs to its cells only', () => {
    assert.throws(() => new LSTM({ inputSize: 2, hiddenSize: 2, recurrentActivation: 'relu' as 'sigmoid' }), /options\.recurrentActivation: expected one of 'sigmoid', 'hardSigmoid', got/);
    assert.throws(() => new GRU({ inputSize: 2, hiddenSize: 2, resetAfter: 'false' as unknown as boolean }), /options\.resetAfter: expected true or false/);
    assert.throws(() => new LSTM({ inputSize: 2, hiddenSize: 2, resetAfter: false } as never), /options: unknown option 'resetAfter'/);
    assert.throws(() => new RNN({ inputSize: 2, hiddenSize: 2, recurrentActivation: 'hardSigmoid' } as never), /options: unknown option 'recurrentActivation'/);
  });

  it('the models say which variant they are', () => {
    const g = new GRU({ inputSize: 2, hiddenSize: 2, resetAfter: false, recurrentActivation: 'hardSigmoid' });
    assert.deepEqual([g.resetAfter, g.recurrentActivation], [false, 'hardSigmoid']);
    const d = new GRU({ inputSize: 2, hiddenSize: 2 });
    assert.deepEqual([d.resetAfter, d.recurrentActivation], [true, 'sigmoid']);
  });
});

describe('checkpoints keep the variant', () => {
  const names = { manifest: 'checkpoint.json', weights: 'model.safetensors', path: '.' };

  it('a reset-before hardSigmoid GRU and a hardSigmoid LSTM come back as themselves, computing the same outputs', () => {
    const x = randt([3, 2, 2], new Rng(1));
    for (const m of [new GRU({ inputSize: 2, hiddenSize: 3, dtype: 'float64', resetAfter: false, recurrentActivation: 'hardSigmoid', seed: 2 }), new LSTM({ inputSize: 2, hiddenSize: 3, dtype: 'float64', recurrentActivation: 'hardSigmoid', seed: 2 })]) {
      const enc = encodeCheckpoint({ model: m, step: 0 });
      const back = decodeCheckpoint(new TextEncoder().encode(enc.manifestText), () => enc.weights, names).model;
      assert.deepEqual(modelConfig(back), modelConfig(m));
      assert.deepEqual([...back.forward(x).output.data], [...m.forward(x).output.data]);
    }
    assert.equal(modelConfig(new GRU({ inputSize: 2, hiddenSize: 3, resetAfter: false })).options.resetAfter, false);
  });

  it('a standard model\'s config has neither key, so its checkpoints are as before', () => {
    for (const m of [new GRU({ inputSize: 2, hiddenSize: 3 }), new LSTM({ inputSize: 2, hiddenSize: 3 })]) {
      const o = modelConfig(m).options;
      assert.ok(!('recurrentActivation' in o) && !('resetAfter' in o), JSON.stringify(o));
    }
  });

  it('a manifest with a variant key on the wrong cell, or a bad value, is refused by name', () => {
    const enc = encodeCheckpoint({ model: new LSTM({ inputSize: 2, hiddenSize: 3 }), step: 0 });
    const tamper = (edit: (o: Record<string, unknown>) => void): Uint8Array => {
      const m = JSON.parse(enc.manifestText);
      edit(m.model.options);
      m.checksum = manifestChecksum(m);
      return new TextEncoder().encode(JSON.stringify(m));
    };
    assert.throws(() => decodeCheckpoint(tamper((o) => { o.resetAfter = false; }), () => enc.weights, names), /model\.options\.resetAfter: expected none for LSTM, got false/);
    assert.throws(() => decodeCheckpoint(tamper((o) => { o.recurrentActivation = 'relu'; }), () => enc.weights, names), /model\.options\.recurrentActivation: expected 'sigmoid' or 'hardSigmoid', got/);
  });
});

describe('against TF.js layers (float32, CPU backend)', () => {
  const B = 3, T = 6, D = 4, H = 5;
  const randomTf = (rng: Rng, shape: number[], scale: number): tf.Tensor =>
    tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-scale, scale)), shape, 'float32');

  const cases = [
    { label: 'tf.layers.lstm (its default hardSigmoid gates)', kind: 'lstm', tfjs: {}, ours: { recurrentActivation: 'hardSigmoid' } },
    { label: 'tf.layers.gru (its defaults: reset_after=False, hardSigmoid)', kind: 'gru', tfjs: {}, ours: { resetAfter: false, recurrentActivation: 'hardSigmoid' } },
    { label: 'tf.layers.gru with sigmoid gates (reset_after=False)', kind: 'gru', tfjs: { recurrentActivation: 'sigmoid' }, ours: { resetAfter: false } },
  ] as const;
  for (const c of cases) {
    it(`${c.label}: imported weights reproduce its output, final state and TF.js's weight gradients (< 1e-5)`, () => {
      const rng = new Rng(31), G = c.kind === 'lstm' ? 4 : 3;
      const args = { units: H, returnSequences: true, returnState: true, ...c.tfjs };
      const layer = c.kind === 'lstm' ? tf.layers.lstm(args) : tf.layers.gru(args);
      const x = randomTf(rng, [B, T, D], 2);
      layer.apply(x);
      // Weights this large put many gate pre-activations outside hardSigmoid's ramp.
      layer.setWeights([randomTf(rng, [D, G * H], 1.5), randomTf(rng, [H, G * H], 1.5), randomTf(rng, [G * H], 1.5)]);
      const [seq, hN] = layer.apply(x) as tf.Tensor[];
      const dOut = randomTf(rng, [B, T, H], 1);
      const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul((layer.apply(x) as tf.Tensor[])[0], dOut)) as tf.Scalar, vars);

      const model = c.kind === 'lstm' ? new LSTM({ inputSize: D, hiddenSize: H, batchFirst: true, ...c.ours }) : new GRU({ inputSize: D, hiddenSize: H, batchFirst: true, ...c.ours });
      model.loadStateDict(importKerasWeights(c.kind, layer.getWeights()));
      const r = model.forward(tensor(x.dataSync(), [B, T, D], 'float32'));
      assert.ok(maxRelError(r.output, seq.dataSync()) < 1e-5, `output ${maxRelError(r.output, seq.dataSync())}`);
      assert.ok(maxRelError(r.h, hN.dataSync()) < 1e-5, `h ${maxRelError(r.h, hN.dataSync())}`);
      const ours = model.backward(tensor(dOut.dataSync(), [B, T, H], 'float32')).grads;
      // The import is linear, so it maps TF.js's gradients (Keras layout) onto rnnlab's.
      const theirs = importKerasWeights(c.kind, vars.map((v) => grads[v.name]));
      for (const k of ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0']) assert.ok(maxRelError(ours[k], theirs[k]) < 1e-5, `${k} ${maxRelError(ours[k], theirs[k])}`);
    });
  }

  it('a Keras reset_after=True GRU with hard_sigmoid gates, written out in TF.js ops (TF.js has no such layer), is GRU({ recurrentActivation: hardSigmoid })', () => {
    const rng = new Rng(32);
    const kernel = randomTf(rng, [D, 3 * H], 1.5), recurrent = randomTf(rng, [H, 3 * H], 1.5), bias = randomTf(rng, [2, 3 * H], 1.5);
    const x = randomTf(rng, [B, T, D], 2);
    const hs = (v: tf.Tensor): tf.Tensor => tf.clipByValue(tf.add(0.5, tf.mul(0.2, v)), 0, 1);
    // Keras GRUCell.call, reset_after=True (keras/layers/rnn/gru.py), with recurrent_activation hard_sigmoid.
    const [bIn, bRec] = tf.unstack(bias);
    let h = tf.zeros([B, H]);
    const steps: tf.Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const xt = tf.squeeze(tf.slice(x, [0, t, 0], [B, 1, D]), [1]);
      const [xz, xr, xh] = tf.split(tf.add(tf.matMul(xt, kernel), bIn), 3, 1);
      const [rz, rr, rh] = tf.split(tf.add(tf.matMul(h, recurrent), bRec), 3, 1);
      const z = hs(tf.add(xz, rz)), r = hs(tf.add(xr, rr));
      h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), tf.tanh(tf.add(xh, tf.mul(r, rh)))));
      steps.push(h);
    }
    const model = new GRU({ inputSize: D, hiddenSize: H, batchFirst: true, recurrentActivation: 'hardSigmoid' });
    model.loadStateDict(importKerasWeights('gru', [kernel, recurrent, bias], { resetAfter: true, recurrentActivation: 'hard_sigmoid' }));
    const out = model.forward(tensor(x.dataSync(), [B, T, D], 'float32'));
    assert.ok(maxRelError(out.output, tf.stack(steps, 1).dataSync()) < 1e-5);
  });

  it('tf.layers.simpleRNN (tanh and relu) imports as kind rnn into RNN with that nonlinearity', () => {
    for (const activation of ['tanh', 'relu'] as const) {
      const rng = new Rng(33);
      const layer = tf.layers.simpleRNN({ units: H, returnSequences: true, activation });
      const x = randomTf(rng, [B, T, D], 1);
      layer.apply(x);
      layer.setWeights([randomTf(rng, [D, H], 0.8), randomTf(rng, [H, H], 0.8), randomTf(rng, [H], 0.8)]);
      const model = new RNN({ inputSize: D, hiddenSize: H, batchFirst: true, nonlinearity: activation });
      model.loadStateDict(importKerasWeights('rnn', layer.getWeights(), { activation }));
      const e = maxRelError(model.forward(tensor(x.dataSync(), [B, T, D], 'float32')).output, (layer.apply(x) as tf.Tensor).dataSync());
      assert.ok(e < 1e-5, `${activation}: ${e}`);
    }
  });
});

describe('importKerasWeights: both GRU kinds', () => {
  const H = 2, D = 3;
  const arr = (shape: number[], f: (i: number) => number) => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => f(i)) });
  const kernel = arr([D, 3 * H], (i) => i), recurrent = arr([H, 3 * H], (i) => -i);

  it('a bias [3H] (reset_after=False) becomes bias_ih in r, z, n order and a zero bias_hh; [2, 3H] becomes both rows', () => {
    const one = importKerasWeights('gru', { kernel, recurrentKernel: recurrent, bias: arr([3 * H], (i) => i + 1) });
    // Keras z r h → r z n: [z1 z2 r1 r2 h1 h2] = [1 2 3 4 5 6] → [3 4 1 2 5 6].
    assert.deepEqual([...one.bias_ih_l0.data], [3, 4, 1, 2, 5, 6]);
    assert.deepEqual([...one.bias_hh_l0.data], [0, 0, 0, 0, 0, 0]);
    const two = importKerasWeights('gru', { kernel, recurrentKernel: recurrent, bias: arr([2, 3 * H], (i) => i + 1) });
    assert.deepEqual([...two.bias_hh_l0.data], [9, 10, 7, 8, 11, 12]);
  });

  it('resetAfter, when given, must agree with the bias; a GRU without bias needs none', () => {
    assert.throws(() => importKerasWeights('gru', { kernel, recurrentKernel: recurrent, bias: arr([3 * H], () => 0) }, { resetAfter: true }),
      /options\.resetAfter: true does not match weights\.bias of shape \[6\], which is a reset_after=False GRU's/);
    assert.throws(() => importKerasWeights('gru', { kernel, recurrentKernel: recurrent, bias: arr([2, 3 * H], () => 0) }, { resetAfter: false }), /reset_after=True GRU's/);
    assert.deepEqual(Object.keys(importKerasWeights('gru', [kernel, recurrent])), ['weight_ih_l0', 'weight_hh_l0']);
    assert.throws(() => importKerasWeights('gru', { kernel, recurrentKernel: recurrent, bias: arr([3, 3 * H], () => 0) }), /weights\.bias: expected shape \[6\] \(reset_after=False\) or \[2, 6\].*got \[3, 6\]/);
  });

  it('recurrentActivation accepts sigmoid and TF.js\'s hardSigmoid in both spellings, and names anything else', () => {
    for (const a of ['sigmoid', 'hardSigmoid', 'hard_sigmoid']) importKerasWeights('lstm', [arr([D, 4 * H], () => 0), arr([H, 4 * H], () => 0)], { recurrentActivation: a });
    assert.throws(() => importKerasWeights('gru', [kernel, recurrent], { recurrentActivation: 'softsign' }), /options\.recurrentActivation: rnnlab's gates are 'sigmoid' or 'hardSigmoid'.*got string "softsign"/);
    assert.throws(() => importKerasWeights('rnn', [arr([D, H], () => 0), arr([H, H], () => 0)], { recurrentActivation: 'sigmoid' }), /options\.recurrentActivation: a SimpleRNN has no gates/);
    assert.throws(() => importKerasWeights('lstm', [arr([D, 4 * H], () => 0), arr([H, 4 * H], () => 0)], { resetAfter: true }), /options\.resetAfter: only a GRU has reset_after/);
  });
});

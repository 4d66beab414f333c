/**
 * importKerasModel against real TF.js Layers models (TF.js 4.22, CPU backend, float32): each model is
 * built in tfjs with seeded random weights, saved in memory with tf.io.withSaveHandler, imported, and
 * rnnlab's predict is compared with model.predict (max error relative to the output's scale < 1e-5).
 * Then the errors: every refusal names the layer and the field, or the weight.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { importKerasModel, KerasModel } from '../src/io/keras-model.js';
import { GRU, LSTM, RNN } from '../src/layers/models.js';
import { Rng } from '../src/tensor/random.js';
import { maxRelError } from './helpers/fixtures.js';

type Artifacts = Omit<tf.io.ModelArtifacts, 'modelTopology' | 'weightSpecs' | 'weightData'> & {
  modelTopology: Record<string, unknown>; weightSpecs: tf.io.WeightsManifestEntry[]; weightData: ArrayBuffer;
};
/** A layer entry of the topology: class_name, config and the rest, as loosely as JSON is. */
type LayerJson = { class_name: string; config: Record<string, unknown> } & Record<string, unknown>;

async function save(model: tf.LayersModel): Promise<Artifacts> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return artifacts! as Artifacts;
}

/** Seeded weights in ±scale for every weight of the model (large enough that some hardSigmoid gates clip). */
function randomize(model: tf.LayersModel, seed: number, scale = 0.8): void {
  const rng = new Rng(seed);
  model.setWeights(model.getWeights().map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => rng.uniform(-scale, scale)), w.shape)));
}

function features(seed: number, shape: [number, number, number]): tf.Tensor {
  const rng = new Rng(seed);
  return tf.tensor3d(Float32Array.from({ length: shape[0] * shape[1] * shape[2] }, () => rng.uniform(-1, 1)), shape);
}

/** rnnlab's predict against TF.js's: same shape, max relative error below 1e-5. */
function samePredict(ours: KerasModel, model: tf.LayersModel, x: tf.Tensor): void {
  const theirs = model.predict(x) as tf.Tensor;
  const y = ours.predict(x);
  assert.deepEqual(y.shape, theirs.shape);
  const e = maxRelError(y, theirs.dataSync());
  assert.ok(e < 1e-5, `max relative error ${e}`);
}

before(async () => {
  await tf.setBackend('cpu');
});

/** Embedding(mask_zero) → Bidirectional(LSTM, concat) → Dense softmax: a text classifier as TF.js writes it. */
function classifier(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.embedding({ inputDim: 12, outputDim: 4, maskZero: true, inputLength: 7 }));
  m.add(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3 }) as tf.RNN, mergeMode: 'concat' }));
  m.add(tf.layers.dense({ units: 5, activation: 'softmax' }));
  return m;
}
/** Trailing zeros of different lengths, one sequence with no padding, and one with a zero inside. */
const IDS = tf.tensor2d([[3, 1, 4, 1, 5, 0, 0], [9, 2, 6, 5, 3, 5, 8], [7, 0, 0, 0, 0, 0, 0], [2, 7, 0, 1, 8, 0, 0]]);

describe('importKerasModel reproduces model.predict', () => {
  it('Embedding(mask_zero) → Bidirectional(LSTM) → Dense softmax, on a padded batch of ids', async () => {
    const m = classifier();
    randomize(m, 1, 1.5);
    samePredict(importKerasModel(await save(m)), m, IDS);
  });

  it('the classifier is rnnlab modules: an Embedding, a bidirectional LSTM with TF.js\'s hardSigmoid gates and PyTorch\'s names, a Linear', async () => {
    const m = classifier();
    randomize(m, 1);
    const ours = importKerasModel(await save(m));
    assert.deepEqual(ours.layers.map((l) => l.kind), ['embedding', 'recurrent', 'dense']);
    const rec = ours.layers[1];
    assert.ok(rec.kind === 'recurrent' && rec.module instanceof LSTM);
    assert.equal(rec.module.bidirectional, true);
    assert.equal(rec.module.recurrentActivation, 'hardSigmoid');
    assert.ok('weight_ih_l0_reverse' in rec.module.stateDict());
    assert.deepEqual(ours.inputShape, [null, 7]);
  });

  it('a GRU with reset_after=False and go_backwards on features returns its sequence in the order it ran (last step first)', async () => {
    const m = tf.sequential();
    m.add(tf.layers.gru({ units: 4, goBackwards: true, returnSequences: true, inputShape: [5, 3] }));
    m.add(tf.layers.dense({ units: 2, activation: 'tanh' }));
    randomize(m, 2, 1.2);
    const ours = importKerasModel(await save(m));
    const rec = ours.layers[0];
    assert.ok(rec.kind === 'recurrent' && rec.module instanceof GRU && !rec.module.resetAfter);
    samePredict(ours, m, features(3, [3, 5, 3]));
  });

  it('a go_backwards GRU after a mask_zero Embedding (the mask reversed with the input), to its last output', async () => {
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: 12, outputDim: 3, maskZero: true, inputLength: 7 }));
    m.add(tf.layers.gru({ units: 4, goBackwards: true, recurrentActivation: 'sigmoid' }));
    m.add(tf.layers.dense({ units: 3, activation: 'sigmoid' }));
    randomize(m, 4, 1.2);
    samePredict(importKerasModel(await save(m)), m, IDS);
  });

  it('a functional SimpleRNN with return_sequences → Dense, on every step', async () => {
    const input = tf.input({ shape: [6, 3] });
    const seq = tf.layers.simpleRNN({ units: 4, returnSequences: true, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2 }).apply(seq) as tf.SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: out });
    randomize(m, 5);
    const ours = importKerasModel(await save(m));
    assert.ok(ours.layers[0].kind === 'recurrent' && ours.layers[0].module instanceof RNN && ours.layers[0].module.nonlinearity === 'relu');
    samePredict(ours, m, features(6, [2, 6, 3]));
  });

  it('Bidirectional(GRU) with return_sequences → Dense: at masked steps, inside and after the sequence, each half gives what Keras gives', async () => {
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: 12, outputDim: 4, maskZero: true, inputLength: 7 }));
    m.add(tf.layers.bidirectional({ layer: tf.layers.gru({ units: 3, returnSequences: true }) as tf.RNN }));
    m.add(tf.layers.dense({ units: 2 }));
    randomize(m, 6, 1.2);
    samePredict(importKerasModel(await save(m)), m, IDS);
  });

  it('a deep chain carries the mask as Keras does: Bidirectional(GRU) sequences → go_backwards LSTM → SimpleRNN → Dropout → Dense, an all-padding row included', async () => {
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: 12, outputDim: 4, maskZero: true, inputLength: 7 }));
    m.add(tf.layers.bidirectional({ layer: tf.layers.gru({ units: 3, returnSequences: true, dropout: 0.3, recurrentDropout: 0.2 }) as tf.RNN }));
    m.add(tf.layers.lstm({ units: 3, returnSequences: true, goBackwards: true }));
    m.add(tf.layers.simpleRNN({ units: 2, returnSequences: true }));
    m.add(tf.layers.dropout({ rate: 0.5 }));
    m.add(tf.layers.dense({ units: 2, activation: 'relu' }));
    randomize(m, 7, 1.2);
    samePredict(importKerasModel(await save(m)), m, tf.concat([IDS, tf.zeros([1, 7])]));
  });

  it('model.json with its weights in two shards (the files a browser download gives) predicts the same as the artifacts', async () => {
    const m = classifier();
    randomize(m, 8);
    const a = await save(m);
    const cut = 40;
    const modelJson = JSON.stringify({ format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: a.weightSpecs }] });
    const shards = [a.weightData.slice(0, cut), a.weightData.slice(cut)];
    const fromFiles = importKerasModel(modelJson, shards).predict(IDS);
    assert.deepEqual([...fromFiles.data], [...importKerasModel(a).predict(IDS).data]);
  });

  it('float64 modules give the float32 model\'s predictions to float32 rounding', async () => {
    const m = classifier();
    randomize(m, 9, 1.5);
    const y = importKerasModel(await save(m), undefined, { dtype: 'float64' }).predict(IDS);
    assert.equal(y.dtype, 'float64');
    assert.ok(maxRelError(y, (m.predict(IDS) as tf.Tensor).dataSync()) < 1e-5);
  });
});

describe('importKerasModel names what it refuses', () => {
  let base: Artifacts;
  before(async () => {
    const m = classifier();
    randomize(m, 10);
    base = await save(m);
  });
  /** The classifier's artifacts with its topology (a copy) edited. */
  const edited = (edit: (layers: LayerJson[]) => void): Artifacts => {
    const topology = structuredClone(base.modelTopology) as { config: { layers: LayerJson[] } };
    edit(topology.config.layers);
    return { ...base, modelTopology: topology };
  };
  const inner = (layers: LayerJson[]): Record<string, unknown> => (layers[1].config.layer as { config: Record<string, unknown> }).config;

  it('a layer it does not run, with its class and name', () => {
    assert.throws(() => importKerasModel(edited((l) => { l[2].class_name = 'Conv1D'; })), /modelJson: layers\[2\] \(Conv1D 'dense_Dense\d+'\): class_name: "Conv1D" is not a layer rnnlab imports/);
  });

  it('a merge mode other than concat, a stateful layer, return_state, go_backwards inside Bidirectional', () => {
    assert.throws(() => importKerasModel(edited((l) => { l[1].config.merge_mode = 'sum'; })), /layers\[1\] \(Bidirectional '.*'\): config\.merge_mode: only 'concat' is supported.*got "sum"/);
    assert.throws(() => importKerasModel(edited((l) => { inner(l).stateful = true; })), /config\.layer \(LSTM '.*'\): config\.stateful: true is not supported \(a stateful layer carries its state/);
    assert.throws(() => importKerasModel(edited((l) => { inner(l).return_state = true; })), /config\.return_state: true is not supported/);
    assert.throws(() => importKerasModel(edited((l) => { inner(l).go_backwards = true; })), /config\.go_backwards: true inside Bidirectional/);
  });

  it('an activation it does not have, and a config field it does not know', () => {
    assert.throws(() => importKerasModel(edited((l) => { l[2].config.activation = 'elu'; })), /layers\[2\] \(Dense '.*'\): config\.activation: expected one of linear, softmax, sigmoid, tanh, relu, got "elu"/);
    assert.throws(() => importKerasModel(edited((l) => { inner(l).recurrent_activation = 'softsign'; })), /config\.recurrent_activation: rnnlab's gates are 'sigmoid' or 'hard_sigmoid', got "softsign"/);
    assert.throws(() => importKerasModel(edited((l) => { inner(l).activation = 'relu'; })), /config\.activation: rnnlab's LSTM has 'tanh'/);
    assert.throws(() => importKerasModel(edited((l) => { l[0].config.embeddings_scale = 2; })), /layers\[0\] \(Embedding '.*'\): config\.embeddings_scale: not a field rnnlab knows for Embedding/);
  });

  it('a functional model that branches is not a chain', async () => {
    const input = tf.input({ shape: [4, 2] });
    const a = tf.layers.simpleRNN({ units: 2 }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 1 }).apply(a) as tf.SymbolicTensor;
    tf.layers.dense({ units: 1 }).apply(a);
    const m = tf.model({ inputs: input, outputs: b });
    const art = await save(m);
    const t = structuredClone(art.modelTopology) as { config: { layers: { inbound_nodes: unknown; name: string }[] } };
    // A second Dense on the same RNN output: two layers fed by one.
    t.config.layers.push({ ...structuredClone(t.config.layers[2]), name: 'extra' } as never);
    assert.throws(() => importKerasModel({ ...art, modelTopology: t }), /inbound_nodes: '.*' also feeds '.*'; rnnlab imports a chain, not a graph with branches/);
  });

  it('weights: too few bytes, a shape the topology does not give, a missing weight, a quantized weight, a stray weight', () => {
    assert.throws(() => importKerasModel(base, base.weightData.slice(0, 100)), /weights: the specs describe \d+ bytes .* but the weight data has 100/);
    const specs = structuredClone(base.weightSpecs);
    specs[0].shape = [12, 5];
    assert.throws(() => importKerasModel({ ...base, weightSpecs: specs }, new ArrayBuffer(base.weightData.byteLength + 48)), /weights: layer 'embedding_Embedding\d+' 'embeddings': expected shape \[12, 4\] from the topology, got \[12, 5\]/);
    const without = base.weightSpecs.filter((s) => !s.name.endsWith('backward_lstm_LSTM1/bias') && !/backward_.*\/bias$/.test(s.name));
    assert.throws(() => importKerasModel({ ...base, weightSpecs: without }, new ArrayBuffer(4 * without.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0))), /has no 'backward\/bias' weight \[12\]/);
    const quantized = structuredClone(base.weightSpecs);
    quantized[1].quantization = { dtype: 'uint8', scale: 1, min: 0 };
    assert.throws(() => importKerasModel({ ...base, weightSpecs: quantized }), /weightSpecs\[1\] \('.*'\)\.quantization: quantized weights are not supported/);
    const stray = [...base.weightSpecs, { name: 'other/kernel', shape: [1], dtype: 'float32' as const }];
    assert.throws(() => importKerasModel({ ...base, weightSpecs: stray }, new ArrayBuffer(base.weightData.byteLength + 4)), /weights: 'other\/kernel' belong to no layer/);
  });

  it('a topology that asks for a huge layer is refused from the weights\' shapes, before anything is allocated', () => {
    assert.throws(() => importKerasModel(edited((l) => { inner(l).units = 100_000_000; })), /weights: layer 'bidirectional_Bidirectional\d+' 'forward\/kernel': expected shape \[4, 400000000\] from the topology, got \[4, 12\]/);
  });

  it('not a Layers model, not JSON, options it does not take', () => {
    assert.throws(() => importKerasModel('{"modelTopology":', base.weightData), /modelJson: not JSON/);
    assert.throws(() => importKerasModel({ ...base, format: 'graph-model' }), /modelJson\.format: expected 'layers-model', got "graph-model"/);
    assert.throws(() => importKerasModel({ weightSpecs: [] }), /modelJson: expected model\.json/);
    assert.throws(() => importKerasModel(base, undefined, { dtype: 'int8' } as never), /options\.dtype: expected 'float32' or 'float64'/);
    assert.throws(() => importKerasModel({ ...base, weightData: undefined }), /weights: expected the weight bytes/);
  });

  it('predict: a shape the model does not take, or an id outside the vocabulary', () => {
    const ours = importKerasModel(base);
    assert.throws(() => ours.predict(tf.zeros([2, 6])), /x: expected shape \[·, 7\] \(batch, timeSteps of ids\), got \[2, 6\]/);
    assert.throws(() => ours.predict([[1, 2, 3, 4, 5, 6, 12]]), /x\[0\]\[6\]: expected an integer id in \[0, 12\) \(the Embedding's input_dim\), got 12/);
    assert.throws(() => ours.predict([[1, 2, 3, 4, 5, 6, 0.5]]), /x\[0\]\[6\]: expected an integer id/);
  });
});

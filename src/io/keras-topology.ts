/**
 * A TF.js Layers model's topology (model.json's `modelTopology`, Keras' JSON) read into a plan of the
 * layers rnnlab can run, every field checked before anything is allocated. What is read:
 *
 *   Sequential, or a functional model ('Model' in TF.js, 'Functional' in Keras) that is a plain chain:
 *   one input, one output, each layer called once on the layer before it.
 *   InputLayer (batch_input_shape); Embedding (input_dim, output_dim, mask_zero); SimpleRNN, LSTM, GRU
 *   (units, activation, recurrent_activation, reset_after, use_bias, return_sequences, go_backwards);
 *   Bidirectional (merge_mode 'concat') around one of them; Dense (units, use_bias, activation linear,
 *   softmax, sigmoid, tanh or relu); Dropout, which model.predict does not apply (left out of the plan).
 *
 * Anything else is refused with an error naming the layer and the field: other layers, other merge
 * modes, stateful or return_state layers, a go_backwards layer inside Bidirectional, unknown config keys
 * (a field rnnlab does not know could change the function). Fields that cannot change model.predict are
 * accepted and ignored: initializers, regularizers, constraints, dropout and recurrent_dropout (inference
 * only), implementation, unroll (TF.js itself ignores it; same function), trainable, dtype.
 */
import type { CellKind } from '../cells/ops.js';
import { describeValue } from '../tensor/check.js';
import { KERAS_RECURRENT_ACTIVATIONS } from './keras.js';

export type DenseActivation = 'linear' | 'softmax' | 'sigmoid' | 'tanh' | 'relu';
export const DENSE_ACTIVATIONS: readonly DenseActivation[] = ['linear', 'softmax', 'sigmoid', 'tanh', 'relu'];

export interface EmbeddingPlan {
  type: 'embedding';
  name: string;
  inputDim: number;
  outputDim: number;
  maskZero: boolean;
}

export interface RecurrentPlan {
  type: 'recurrent';
  /** The layer's name in the model (the Bidirectional wrapper's, when wrapped): its weights' prefix. */
  name: string;
  className: 'SimpleRNN' | 'LSTM' | 'GRU';
  cell: CellKind;
  inputSize: number;
  units: number;
  bidirectional: boolean;
  returnSequences: boolean;
  goBackwards: boolean;
  useBias: boolean;
  /** SimpleRNN's activation (rnnlab's nonlinearity). */
  nonlinearity: 'tanh' | 'relu';
  recurrentActivation: 'sigmoid' | 'hardSigmoid';
  /** GRU only. */
  resetAfter: boolean;
}

export interface DensePlan {
  type: 'dense';
  name: string;
  inputSize: number;
  units: number;
  useBias: boolean;
  activation: DenseActivation;
}

export type LayerPlan = EmbeddingPlan | RecurrentPlan | DensePlan;

export interface KerasPlan {
  name: string;
  /** What predict takes: integer ids [B, T] (the first layer is an Embedding) or features [B, T, D]. */
  input: { ids: boolean; timeSteps: number | null; features: number | null };
  layers: LayerPlan[];
  /** The rank of predict's output: 3 for a sequence [B, T, ·], 2 for [B, ·]. */
  outputRank: 2 | 3;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function fail(where: string, msg: string): never {
  throw new RangeError(`modelJson: ${where}: ${msg}`);
}

function field<T>(where: string, c: Json, key: string, check: (v: unknown) => v is T, want: string, dflt?: T): T {
  const v = c[key];
  if (v === undefined && dflt !== undefined) return dflt;
  if (!check(v)) fail(where, `config.${key}: expected ${want}, got ${describeValue(v)}`);
  return v;
}
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isPosInt = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 1;
const isStr = (v: unknown): v is string => typeof v === 'string';

/** Config keys that do not change model.predict (see the header), common to every layer. */
const IGNORED = ['name', 'trainable', 'dtype', 'batch_input_shape', 'batch_size', 'input_dtype', 'input_shape'];
const INIT = (...w: string[]): string[] => w.flatMap((k) => [`${k}_initializer`, `${k}_regularizer`, `${k}_constraint`]);
const RECURRENT_KEYS = [
  'units', 'activation', 'recurrent_activation', 'use_bias', 'return_sequences', 'return_state', 'go_backwards', 'stateful', 'unroll',
  'reset_after', 'dropout', 'recurrent_dropout', 'implementation', 'unit_forget_bias', 'activity_regularizer', 'time_major', 'seed',
  ...INIT('kernel', 'recurrent', 'bias'),
];
const KNOWN_KEYS: Record<string, readonly string[]> = {
  InputLayer: ['sparse', 'ragged', 'batch_shape'],
  Embedding: ['input_dim', 'output_dim', 'mask_zero', 'input_length', 'activity_regularizer', 'sparse', ...INIT('embeddings')],
  Dense: ['units', 'activation', 'use_bias', 'activity_regularizer', ...INIT('kernel', 'bias')],
  Bidirectional: ['layer', 'merge_mode', 'backward_layer'],
  Dropout: ['rate', 'noise_shape', 'seed'],
  SimpleRNN: RECURRENT_KEYS,
  LSTM: RECURRENT_KEYS,
  GRU: RECURRENT_KEYS,
};
const CELLS = { SimpleRNN: 'rnn', LSTM: 'lstm', GRU: 'gru' } as const;

function checkKeys(where: string, className: string, c: Json): void {
  const known = KNOWN_KEYS[className];
  for (const k of Object.keys(c)) {
    if (!IGNORED.includes(k) && !known.includes(k)) fail(where, `config.${k}: not a field rnnlab knows for ${className}, so it cannot tell that it leaves the function unchanged`);
  }
}

/** One layer entry, { class_name, config }, as Sequential and functional models both hold them. */
interface Entry {
  className: string;
  config: Json;
  where: string;
}

function entry(where: string, v: unknown): Entry {
  if (!isObj(v) || typeof v.class_name !== 'string' || !isObj(v.config)) fail(where, `expected a layer {class_name, config}, got ${describeValue(v)}`);
  const name = typeof v.config.name === 'string' ? v.config.name : typeof v.name === 'string' ? v.name : '?';
  return { className: v.class_name, config: v.config, where: `${where} (${v.class_name} '${name}')` };
}

/** [null, T, D] or [null, T]: the batch axis, then time steps (or null) and, for features, their count. */
function inputShape(where: string, shape: unknown): (number | null)[] {
  if (!Array.isArray(shape) || shape.length < 2 || shape.length > 3 || !shape.every((d) => d === null || isPosInt(d))) {
    fail(where, `expected [batch, timeSteps] (ids) or [batch, timeSteps, features], got ${describeValue(shape)}`);
  }
  return shape as (number | null)[];
}

/** The layer entries in order: a Sequential's list, or a functional model's chain from input to output. */
function chain(topology: Json): { name: string; entries: Entry[] } {
  const cls = topology.class_name;
  const config = topology.config;
  const name = isObj(config) && typeof config.name === 'string' ? config.name : '';
  if (cls === 'Sequential') {
    const layers = Array.isArray(config) ? config : isObj(config) ? config.layers : undefined;
    if (!Array.isArray(layers) || layers.length === 0) fail('config.layers', `expected a non-empty list of layers, got ${describeValue(layers)}`);
    return { name, entries: layers.map((l, i) => entry(`layers[${i}]`, l)) };
  }
  if (cls !== 'Model' && cls !== 'Functional') fail('class_name', `expected 'Sequential', or a functional 'Model' / 'Functional', got ${describeValue(cls)}`);
  if (!isObj(config) || !Array.isArray(config.layers)) fail('config.layers', 'expected the list of layers');
  const layers = config.layers as unknown[];
  const byName = new Map<string, { e: Entry; inbound: string | null; index: number }>();
  layers.forEach((l, i) => {
    const e = entry(`layers[${i}]`, l);
    const lname = (l as Json).name;
    if (typeof lname !== 'string' || byName.has(lname)) fail(e.where, `name: expected a unique string, got ${describeValue(lname)}`);
    byName.set(lname, { e, inbound: inboundOf(e.where, (l as Json).inbound_nodes), index: i });
  });
  const ends = (key: 'input_layers' | 'output_layers'): string => {
    const v = config[key];
    if (!Array.isArray(v) || v.length !== 1 || !Array.isArray(v[0]) || typeof v[0][0] !== 'string' || !byName.has(v[0][0])) {
      fail(`config.${key}`, `expected exactly one [layerName, 0, 0] of a layer in the model (rnnlab imports single-input, single-output chains), got ${describeValue(v)}`);
    }
    return v[0][0] as string;
  };
  const first = ends('input_layers'), last = ends('output_layers');
  const next = new Map<string, string>();
  for (const [lname, { e, inbound }] of byName) {
    if (inbound === null) continue;
    if (!byName.has(inbound)) fail(e.where, `inbound_nodes: layer '${inbound}' is not in the model`);
    if (next.has(inbound)) fail(e.where, `inbound_nodes: '${inbound}' also feeds '${next.get(inbound)}'; rnnlab imports a chain, not a graph with branches`);
    next.set(inbound, lname);
  }
  const entries: Entry[] = [];
  for (let at: string | undefined = first; at !== undefined; at = next.get(at)) {
    entries.push(byName.get(at)!.e);
    if (at === last) break;
  }
  if (entries.length !== byName.size || entries[entries.length - 1] !== byName.get(last)!.e) {
    fail('config.layers', `the layers do not form one chain from '${first}' to '${last}'`);
  }
  return { name, entries };
}

/** A functional layer's one inbound layer (null for an input): [[[name, 0, 0, {}]]] in TF.js / Keras 2 form. */
function inboundOf(where: string, nodes: unknown): string | null {
  if (Array.isArray(nodes) && nodes.length === 0) return null;
  if (!Array.isArray(nodes) || nodes.length !== 1 || !Array.isArray(nodes[0]) || nodes[0].length !== 1) {
    fail(where, `inbound_nodes: expected one call on one tensor, [[[layerName, 0, 0, {}]]] (a layer used once, in a chain), got ${describeValue(nodes)}`);
  }
  const call = nodes[0][0];
  if (!Array.isArray(call) || typeof call[0] !== 'string' || call[1] !== 0 || call[2] !== 0) fail(where, `inbound_nodes: expected [layerName, 0, 0, {}], got ${describeValue(call)}`);
  const kwargs = call[3];
  if (kwargs !== undefined && (!isObj(kwargs) || Object.keys(kwargs).length > 0)) {
    fail(where, `inbound_nodes: the call passes ${isObj(kwargs) ? Object.keys(kwargs).join(', ') : describeValue(kwargs)}; rnnlab imports plain calls (no initial_state, mask or training arguments)`);
  }
  return call[0];
}

function recurrent(e: Entry, inputSize: number, outer: { name: string; bidirectional: boolean }): RecurrentPlan {
  const { where, config: c } = e;
  checkKeys(where, e.className, c);
  const className = e.className as RecurrentPlan['className'];
  const cell = CELLS[className];
  for (const key of ['stateful', 'return_state', 'time_major'] as const) {
    if (field(where, c, key, isBool, 'true or false', false)) fail(where, `config.${key}: true is not supported (${key === 'stateful' ? 'a stateful layer carries its state from one predict call to the next' : key === 'return_state' ? 'the layer would have several outputs' : 'Keras time-major input'})`);
  }
  const activation = field(where, c, 'activation', isStr, 'a string', 'tanh');
  if (activation !== 'tanh' && !(cell === 'rnn' && activation === 'relu')) {
    fail(where, `config.activation: rnnlab's ${className} has ${cell === 'rnn' ? "'tanh' or 'relu'" : "'tanh'"}, got ${describeValue(activation)}`);
  }
  let recurrentActivation: RecurrentPlan['recurrentActivation'] = 'sigmoid';
  if (cell !== 'rnn') {
    const ra = field(where, c, 'recurrent_activation', isStr, 'a string');
    if (!Object.hasOwn(KERAS_RECURRENT_ACTIVATIONS, ra)) fail(where, `config.recurrent_activation: rnnlab's gates are 'sigmoid' or 'hard_sigmoid', got ${describeValue(ra)}`);
    recurrentActivation = KERAS_RECURRENT_ACTIVATIONS[ra];
  }
  for (const key of ['dropout', 'recurrent_dropout'] as const) {
    const v = c[key];
    if (v !== undefined && v !== null && !(typeof v === 'number' && v >= 0 && v < 1)) fail(where, `config.${key}: expected a rate in [0, 1), got ${describeValue(v)}`);
  }
  const goBackwards = field(where, c, 'go_backwards', isBool, 'true or false', false);
  if (outer.bidirectional && goBackwards) fail(where, 'config.go_backwards: true inside Bidirectional (its forward half would run backwards) is not supported');
  return {
    type: 'recurrent', name: outer.name, className, cell, inputSize, bidirectional: outer.bidirectional,
    units: field(where, c, 'units', isPosInt, 'a positive integer'),
    returnSequences: field(where, c, 'return_sequences', isBool, 'true or false', false),
    goBackwards,
    useBias: field(where, c, 'use_bias', isBool, 'true or false', true),
    nonlinearity: activation === 'relu' ? 'relu' : 'tanh',
    recurrentActivation,
    // TF.js's GRU is reset_after=False and writes it; Keras 3 writes true when it is.
    resetAfter: cell === 'gru' ? field(where, c, 'reset_after', isBool, 'true or false', false) : true,
  };
}

/** Reads and checks the topology (model.json's `modelTopology`) into a plan; throws, naming the layer and field, on anything rnnlab cannot run as TF.js does. */
export function planKerasModel(topologyIn: unknown): KerasPlan {
  if (!isObj(topologyIn)) fail('modelTopology', `expected an object, got ${describeValue(topologyIn)}`);
  // A model converted from Keras (tensorflowjs_converter) nests it: { model_config, training_config }.
  const topology = isObj(topologyIn.model_config) ? topologyIn.model_config : topologyIn;
  const { name, entries } = chain(topology);
  let at = 0;
  let input: KerasPlan['input'] | null = null;
  const readInput = (e: Entry, shape: unknown): void => {
    const s = inputShape(`${e.where}: config.batch_input_shape`, shape);
    if (s.length === 3 && s[2] === null) fail(e.where, 'config.batch_input_shape: the feature count (last axis) is null; rnnlab needs it to size the first layer');
    input = { ids: s.length === 2, timeSteps: s[1], features: s.length === 3 ? s[2] : null };
  };
  if (entries[0].className === 'InputLayer') {
    checkKeys(entries[0].where, 'InputLayer', entries[0].config);
    readInput(entries[0], entries[0].config.batch_input_shape ?? entries[0].config.batch_shape);
    at = 1;
  } else if (entries[0].config.batch_input_shape !== undefined) {
    readInput(entries[0], entries[0].config.batch_input_shape);
  }
  if (input === null) fail(entries[0].where, 'config.batch_input_shape: missing; rnnlab needs the input shape (TF.js records it on the first layer)');
  const inp: KerasPlan['input'] = input;
  if (at === entries.length) fail('config.layers', 'no layer after the input');
  const layers: LayerPlan[] = [];
  let rank: 2 | 3 = inp.ids ? 2 : 3, width = inp.features;
  for (let i = at; i < entries.length; i++) {
    const e = entries[i], c = e.config, lname = typeof c.name === 'string' ? c.name : '';
    if (e.className === 'Embedding') {
      checkKeys(e.where, 'Embedding', c);
      if (i !== at || !inp.ids) fail(e.where, 'an Embedding reads integer ids, so it must be the first layer, on an input of shape [batch, timeSteps]');
      if (field(e.where, c, 'sparse', isBool, 'true or false', false)) fail(e.where, 'config.sparse: true is not supported');
      const plan: EmbeddingPlan = {
        type: 'embedding', name: lname,
        inputDim: field(e.where, c, 'input_dim', isPosInt, 'a positive integer'),
        outputDim: field(e.where, c, 'output_dim', isPosInt, 'a positive integer'),
        maskZero: field(e.where, c, 'mask_zero', isBool, 'true or false', false),
      };
      layers.push(plan);
      [rank, width] = [3, plan.outputDim];
    } else if (e.className === 'Dropout') {
      // The identity in inference, and it passes the mask on: nothing to run.
      checkKeys(e.where, 'Dropout', c);
      field(e.where, c, 'rate', (v): v is number => typeof v === 'number' && v >= 0 && v < 1, 'a rate in [0, 1)');
    } else if (inp.ids && i === at) {
      fail(e.where, 'the input is integer ids [batch, timeSteps]; rnnlab imports such a model only when an Embedding reads them first');
    } else if (e.className === 'Dense') {
      checkKeys(e.where, 'Dense', c);
      const activation = field(e.where, c, 'activation', isStr, 'a string', 'linear');
      if (!(DENSE_ACTIVATIONS as readonly string[]).includes(activation)) fail(e.where, `config.activation: expected one of ${DENSE_ACTIVATIONS.join(', ')}, got ${describeValue(activation)}`);
      const plan: DensePlan = {
        type: 'dense', name: lname, inputSize: width!, units: field(e.where, c, 'units', isPosInt, 'a positive integer'),
        useBias: field(e.where, c, 'use_bias', isBool, 'true or false', true), activation: activation as DenseActivation,
      };
      layers.push(plan);
      width = plan.units;
    } else if (e.className === 'Bidirectional' || e.className in CELLS) {
      if (rank !== 3) fail(e.where, 'a recurrent layer needs a sequence [batch, timeSteps, features], and the layer before it returns one vector per sequence (return_sequences false)');
      let inner = e;
      if (e.className === 'Bidirectional') {
        checkKeys(e.where, 'Bidirectional', c);
        const mode = c.merge_mode ?? 'concat';
        if (mode !== 'concat') fail(e.where, `config.merge_mode: only 'concat' is supported (rnnlab's bidirectional layer concatenates forward and reverse), got ${describeValue(mode)}`);
        if (c.backward_layer !== undefined && c.backward_layer !== null) fail(e.where, 'config.backward_layer: a separate backward layer is not supported');
        inner = entry(`${e.where}: config.layer`, c.layer);
        if (!(inner.className in CELLS)) fail(inner.where, `expected SimpleRNN, LSTM or GRU inside Bidirectional, got ${describeValue(inner.className)}`);
      }
      const plan = recurrent(inner, width!, { name: lname, bidirectional: inner !== e });
      layers.push(plan);
      [rank, width] = [plan.returnSequences ? 3 : 2, (plan.bidirectional ? 2 : 1) * plan.units];
    } else {
      fail(e.where, `class_name: ${describeValue(e.className)} is not a layer rnnlab imports (InputLayer, Embedding, SimpleRNN, LSTM, GRU, Bidirectional, Dense, Dropout)`);
    }
  }
  if (layers.length === 0) fail('config.layers', 'no layer that computes anything (only Dropout)');
  return { name, input: inp, layers, outputRank: rank };
}

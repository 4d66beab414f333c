/**
 * ONNX export of rnnlab's RNN, LSTM and GRU models, with the standard ONNX RNN / LSTM / GRU operators
 * (opset 14), so that onnxruntime or any ONNX consumer runs the same function as rnnlab's forward.
 *
 * The graph, for a model with L layers and num_directions = 1 (one-directional) or 2 (bidirectional):
 *
 *   x [T, B, D] ─ LSTM_0 ─ Y [T, dirs, B, H] ─ to [T, B, dirs·H] ─ LSTM_1 ─ ... ─ (MatMul + Add) ─ y
 *                   └ Y_h, Y_c [dirs, B, H]                          └ ...
 *   h_n = Concat(Y_h of every layer) [L·dirs, B, H], c_n likewise (LSTM)
 *
 * One ONNX op per layer, because an ONNX RNN op is one layer; its num_directions axis is a layer's two
 * directions (direction = "bidirectional", W/R/B stacked forward then reverse). Between layers Y is
 * made [T, B, dirs·H]: a Squeeze of the axis for one direction; for two, Transpose to [T, B, 2, H] then
 * Reshape, which puts the forward h then the reverse h in each row, rnnlab's (and PyTorch's) layout.
 * Y_h [dirs, B, H] is already forward then reverse, so concatenating the layers' gives rnnlab's
 * layer-major state order. The head, when the model has one, is MatMul with head.weightᵀ then Add
 * head.bias on the [T, B, dirs·H] sequence, as rnnlab applies it at every step.
 *
 * Gate orders differ between PyTorch (whose layout rnnlab uses) and ONNX, so the weight row blocks are
 * reordered on export, the `_reverse` weights exactly as the forward ones:
 *
 *   LSTM  PyTorch i f g o  →  ONNX i o f c      (g is ONNX's c, the cell candidate)
 *   GRU   PyTorch r z n    →  ONNX z r h        with linear_before_reset = 1, PyTorch's
 *                                               n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
 *   RNN   one block; activation Tanh or Relu (one per direction)
 *
 * W [dirs, G·H, D_l] = weight_ih_l{l}(_reverse), R [dirs, G·H, H] = weight_hh, B [dirs, 2·G·H] =
 * [bias_ih; bias_hh] (zeros for a model built with bias: false), all reordered as above.
 *
 * Padded batches: with `sequenceLens`, a graph input sequence_lens [B] (int32) goes to every layer's op,
 * whose semantics are rnnlab's forward(x, state, { lengths }) (PyTorch's pack_padded_sequence → layer →
 * pad_packed_sequence): Y is 0 at steps t ≥ len_b, Y_h (Y_c) is read at each sequence's own last step,
 * and the reverse direction starts at step len_b − 1. The head then maps a padded step's zero h to its
 * bias, which is what rnnlab's forward gives there too. test/interop-onnx-bidir.test.ts checks all this
 * in onnxruntime.
 *
 * Layout: ONNX's ops are time-major. A batchFirst model is exported with a Transpose on x and on y, so
 * the ONNX model takes and gives [B, T, ·] exactly as the rnnlab model does; states are [L·dirs, B, H]
 * either way (as in rnnlab and PyTorch). T and B are dynamic axes. Unbatched [T, D] input is not part of
 * the exported interface: give B = 1.
 *
 * What is exported is the model in evaluation mode: dropout between layers acts only in training, so it
 * has no node. A parameter the standard ops cannot hold (an LSTM projection, PyTorch's weight_hr_l{k}
 * for proj_size: ONNX's LSTM has no projection) is refused by name, not dropped; so are the Keras cell
 * variants (hardSigmoid gates, the reset-before GRU), which ONNX could express (HardSigmoid activations,
 * linear_before_reset = 0) but which are not exported yet.
 *
 * Precision: the exported model is float32, because onnxruntime's CPU kernels for these ops are float32
 * only. A float64 model is exported with its weights rounded to float32 (its outputs then agree with the
 * float64 model to float32 rounding, not exactly).
 */
import { GRU, LSTM, RNN } from '../layers/models.js';
import type { Tensor } from '../tensor/tensor.js';
import { GraphBuilder, type Dim } from './onnx-graph.js';

/** The opset written. 14 is the first with both the int64 `axes` input of Squeeze and `layout` on RNN ops. */
export const ONNX_OPSET = 14;

export interface OnnxExportOptions {
  /**
   * Add graph inputs h0 [numLayers·dirs, B, H] (and c0 for an LSTM) for the initial state. Default
   * false: the state starts at zero, as rnnlab's forward(x) without a state.
   */
  initialState?: boolean;
  /**
   * Add a graph input sequence_lens [B] (int32), each sequence's length in [1, T], given to every
   * layer's op: the ONNX model then computes forward(x, state, { lengths }). Default false: every
   * sequence is T steps long.
   */
  sequenceLens?: boolean;
  /** The exported element type. Only 'float32' (the default) is supported; see the file comment. */
  dtype?: 'float32';
  /** Stored as the model's doc_string (e.g. where the weights came from). */
  docString?: string;
}

const OPTION_KEYS = ['initialState', 'sequenceLens', 'dtype', 'docString'] as const;

/** Per kind: the ONNX op, PyTorch block index for each ONNX gate block, and the gate count G. */
const LAYOUT = {
  RNN: { op: 'RNN', order: [0] },
  LSTM: { op: 'LSTM', order: [0, 3, 1, 2] }, // ONNX i, o, f, c from PyTorch i(0), f(1), g(2), o(3)
  GRU: { op: 'GRU', order: [1, 0, 2] }, //      ONNX z, r, h from PyTorch r(0), z(1), n(2)
} as const;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function checkOptions(options: unknown): Required<OnnxExportOptions> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`options: expected an object {${OPTION_KEYS.join(', ')}}, got ${describe(options)}`);
  }
  const o = options as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!(OPTION_KEYS as readonly string[]).includes(k)) throw new RangeError(`options.${k}: unknown option (expected one of ${OPTION_KEYS.join(', ')})`);
  }
  for (const k of ['initialState', 'sequenceLens'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'boolean') throw new TypeError(`options.${k}: expected true or false, got ${describe(o[k])}`);
  }
  if (o.dtype !== undefined && o.dtype !== 'float32') {
    throw new RangeError(`options.dtype: expected 'float32' (onnxruntime's RNN, LSTM and GRU kernels are float32 only; a float64 model is exported rounded to float32), got ${describe(o.dtype)}`);
  }
  if (o.docString !== undefined && typeof o.docString !== 'string') throw new TypeError(`options.docString: expected a string, got ${describe(o.docString)}`);
  return { initialState: o.initialState === true, sequenceLens: o.sequenceLens === true, dtype: 'float32', docString: (o.docString as string | undefined) ?? '' };
}

/** The [G·H, ·] matrix (or [G·H] vector) with its H-row blocks put in ONNX's gate order. */
function reorder(t: Tensor, order: readonly number[], H: number): Float32Array {
  const width = t.shape.length === 2 ? t.shape[1] : 1;
  const block = H * width;
  const out = new Float32Array(t.size);
  order.forEach((src, dst) => out.set(t.data.subarray(src * block, (src + 1) * block), dst * block));
  return out;
}

function finite(name: string, t: Tensor): Tensor {
  for (let i = 0; i < t.data.length; i++) {
    if (!Number.isFinite(t.data[i])) throw new RangeError(`model: parameter '${name}' holds a non-finite value (${t.data[i]}) at flat index ${i}; refusing to export it`);
  }
  return t;
}

/**
 * The cell options read as the ops' attributes. An LSTM or GRU variant (Keras' recurrentActivation
 * 'hardSigmoid', a GRU with the reset gate before the product) has the standard parameters, so only
 * these options tell it apart; exporting it as the standard cell would give a different function
 * without a word. Read structurally, so the check holds whichever model version defines them.
 */
function checkStandardCell(model: RNN | LSTM | GRU): void {
  const v = model as object as { readonly recurrentActivation?: unknown; readonly resetAfter?: unknown };
  const kind = model instanceof LSTM ? 'LSTM' : model instanceof GRU ? 'GRU' : 'RNN';
  if (v.recurrentActivation !== undefined && v.recurrentActivation !== 'sigmoid') {
    throw new RangeError(`model: ${kind === 'LSTM' ? 'an' : 'a'} ${kind} with recurrentActivation ${describe(v.recurrentActivation)} is not exported to ONNX yet (only the sigmoid gates of PyTorch's cell are); export a model with recurrentActivation 'sigmoid'`);
  }
  if (v.resetAfter !== undefined && v.resetAfter !== true) {
    throw new RangeError(`model: a GRU with resetAfter ${describe(v.resetAfter)} (the reset gate before W_hn) is not exported to ONNX yet (only PyTorch's GRU, linear_before_reset = 1, is); export a model with resetAfter true`);
  }
}

/**
 * The parameter names the graph reads, in order: per layer and direction weight_ih, weight_hh (and the
 * biases), then the head. Any other parameter has no place in the standard ops and is refused by name.
 */
function checkParameters(model: RNN | LSTM | GRU, sd: Record<string, Tensor>): void {
  const known = new Set<string>();
  for (let l = 0; l < model.numLayers; l++) {
    for (const s of model.numDirections === 2 ? ['', '_reverse'] : ['']) {
      for (const w of model.hasBias ? ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'] : ['weight_ih', 'weight_hh']) known.add(`${w}_l${l}${s}`);
    }
  }
  if (model.outputSize !== null) known.add('head.weight').add('head.bias');
  checkStandardCell(model);
  for (const [name, t] of Object.entries(sd)) {
    if (/^weight_hr_l\d+/.test(name)) {
      throw new RangeError(`model: parameter '${name}' is an LSTM projection (PyTorch's proj_size), which the standard ONNX LSTM operator has no input for; refusing to export it rather than drop it`);
    }
    if (!known.has(name)) throw new RangeError(`model: parameter '${name}' has no place in the standard ONNX RNN/LSTM/GRU operators; refusing to export it rather than drop it`);
    finite(name, t);
  }
  for (const name of known) if (!(name in sd)) throw new Error(`internal: model has no parameter '${name}'`);
}

/**
 * Exports an rnnlab RNN, LSTM or GRU (any number of layers, one-directional or bidirectional, with or
 * without bias or head, tanh or relu RNN, batchFirst or not) as an ONNX model (the bytes of a .onnx file).
 * Graph inputs: x, h0 (c0) with `initialState`, sequence_lens with `sequenceLens`; outputs: y (the head's
 * output, or the top layer's h at every step), h_n, and c_n for an LSTM. See the file comment for the
 * graph and the gate-order conversions.
 */
export function exportOnnx(model: RNN | LSTM | GRU, options: OnnxExportOptions = {}): Uint8Array {
  const kind = model instanceof LSTM ? 'LSTM' : model instanceof GRU ? 'GRU' : model instanceof RNN ? 'RNN' : null;
  if (kind === null) throw new TypeError(`model: expected an rnnlab RNN, LSTM or GRU, got ${describe(model)}`);
  const opts = checkOptions(options);
  const { op, order } = LAYOUT[kind];
  const D = model.inputSize, H = model.hiddenSize, L = model.numLayers, G = order.length;
  const dirs = model.numDirections, S = L * dirs, W = dirs * H;
  const suffixes = dirs === 2 ? ['', '_reverse'] : [''];
  const sd = model.stateDict();
  checkParameters(model, sd);

  const g = new GraphBuilder();
  const bf = model.batchFirst;
  const seq = (w: number): Dim[] => (bf ? ['B', 'T', w] : ['T', 'B', w]);
  const stateDims: Dim[] = [S, 'B', H];
  let x = g.input('x', 'float32', seq(D));
  if (bf) {
    const xt = g.fresh('x_time_major');
    g.node('Transpose', [x], [xt], { perm: [1, 0, 2] });
    x = xt;
  }
  const h0 = opts.initialState ? g.input('h0', 'float32', stateDims) : null;
  const c0 = opts.initialState && kind === 'LSTM' ? g.input('c0', 'float32', stateDims) : null;
  const lens = opts.sequenceLens ? g.input('sequence_lens', 'int32', ['B']) : '';
  // Each constant is made only where a node reads it: onnxruntime warns about unused initializers.
  const axis0 = opts.initialState ? g.int64('axes_0', [0]) : '';
  const axis1 = dirs === 1 ? g.int64('axes_1', [1]) : '';
  const rowShape = dirs === 2 ? g.int64('shape_T_B_2H', [0, 0, W]) : ''; // 0: keep that axis (T, B)
  /** initial state of layer l, [dirs, B, H]: rows l·dirs … l·dirs + dirs − 1 of the [L·dirs, B, H] input. */
  const slice = (state: string, l: number): string => {
    const out = g.fresh(`${state}_l${l}`);
    g.node('Slice', [state, g.int64(g.fresh(`start_l${l}`), [l * dirs]), g.int64(g.fresh(`end_l${l}`), [(l + 1) * dirs]), axis0], [out]);
    return out;
  };
  /** The weights of layer l for both directions, stacked on ONNX's num_directions axis. */
  const stacked = (name: string, l: number, width: number): Float32Array => {
    const out = new Float32Array(dirs * G * H * width);
    suffixes.forEach((s, d) => out.set(reorder(sd[`${name}_l${l}${s}`], order, H), d * G * H * width));
    return out;
  };

  const hs: string[] = [], cs: string[] = [];
  for (let l = 0; l < L; l++) {
    const Dl = l === 0 ? D : W;
    const Wl = g.float(`W_l${l}`, [dirs, G * H, Dl], stacked('weight_ih', l, Dl));
    const R = g.float(`R_l${l}`, [dirs, G * H, H], stacked('weight_hh', l, H));
    const bias = new Float32Array(dirs * 2 * G * H);
    if (model.hasBias) {
      const bi = stacked('bias_ih', l, 1), bh = stacked('bias_hh', l, 1);
      for (let d = 0; d < dirs; d++) {
        bias.set(bi.subarray(d * G * H, (d + 1) * G * H), d * 2 * G * H);
        bias.set(bh.subarray(d * G * H, (d + 1) * G * H), d * 2 * G * H + G * H);
      }
    }
    const B = g.float(`B_l${l}`, [dirs, 2 * G * H], bias);
    const inputs = [x, Wl, R, B, lens, h0 === null ? '' : slice(h0, l)];
    if (kind === 'LSTM') inputs.push(c0 === null ? '' : slice(c0, l));
    const Y = g.fresh(`Y_l${l}`), Yh = g.fresh(`Y_h_l${l}`);
    const outputs = [Y, Yh];
    if (kind === 'LSTM') outputs.push(g.fresh(`Y_c_l${l}`));
    const attrs: Record<string, number | string | string[]> = { hidden_size: H };
    if (dirs === 2) attrs.direction = 'bidirectional';
    if (kind === 'GRU') attrs.linear_before_reset = 1;
    // ONNX wants one activation per direction; the reverse direction uses the same one.
    if (model instanceof RNN) attrs.activations = suffixes.map(() => (model.nonlinearity === 'relu' ? 'Relu' : 'Tanh'));
    g.node(op, inputs, outputs, attrs);
    hs.push(Yh);
    if (kind === 'LSTM') cs.push(outputs[2]);
    const next = g.fresh(`h_seq_l${l}`);
    if (dirs === 1) {
      g.node('Squeeze', [Y, axis1], [next]); // [T, 1, B, H] → [T, B, H]
    } else {
      const tbdh = g.fresh(`Y_T_B_2_H_l${l}`);
      g.node('Transpose', [Y], [tbdh], { perm: [0, 2, 1, 3] }); // [T, 2, B, H] → [T, B, 2, H]
      g.node('Reshape', [tbdh, rowShape], [next]); //                [T, B, 2, H] → [T, B, 2H]
    }
    x = next;
  }

  let y = x;
  let width = W;
  if (model.outputSize !== null) {
    width = model.outputSize;
    const w = sd['head.weight'];
    const wt = new Float32Array(W * width); // head.weightᵀ [dirs·H, O] for MatMul(y, ·)
    for (let o = 0; o < width; o++) for (let j = 0; j < W; j++) wt[j * width + o] = w.data[o * W + j];
    const mm = g.fresh('head_matmul');
    g.node('MatMul', [y, g.float('head.weight_T', [W, width], wt)], [mm]);
    const added = g.fresh('head_out');
    g.node('Add', [mm, g.float('head.bias', [width], sd['head.bias'].data)], [added]);
    y = added;
  }
  if (bf) {
    g.node('Transpose', [y], ['y'], { perm: [1, 0, 2] });
  } else {
    g.node('Identity', [y], ['y']);
  }
  g.output('y', 'float32', seq(width));
  g.node('Concat', hs, ['h_n'], { axis: 0 });
  g.output('h_n', 'float32', stateDims);
  if (kind === 'LSTM') {
    g.node('Concat', cs, ['c_n'], { axis: 0 });
    g.output('c_n', 'float32', stateDims);
  }
  const what = [`inputSize ${D}`, `hiddenSize ${H}`, `numLayers ${L}`];
  if (dirs === 2) what.push('bidirectional');
  if (model.outputSize !== null) what.push(`outputSize ${model.outputSize}`);
  if (bf) what.push('batch-first');
  const doc = opts.docString || `rnnlab ${kind}: ${what.join(', ')}`;
  return g.encode(`rnnlab_${kind.toLowerCase()}`, ONNX_OPSET, doc);
}

/**
 * ONNX export of rnnlab's RNN, LSTM and GRU models, with the standard ONNX RNN / LSTM / GRU operators
 * (opset 14), so that onnxruntime or any ONNX consumer runs the same function as rnnlab's forward.
 *
 * The graph, for a model with L layers:
 *
 *   x [T, B, D] ─┬─ LSTM_0 ─ Y [T, 1, B, H] ─ Squeeze(axis 1) ─ LSTM_1 ─ ... ─ Squeeze ─ (MatMul + Add) ─ y
 *                │     └ Y_h, Y_c [1, B, H]                        └ ...
 *   h_n = Concat(Y_h of every layer) [L, B, H], c_n likewise (LSTM)
 *
 * One ONNX op per layer, because an ONNX RNN op is one layer (its num_directions axis is for
 * bidirectional layers, which this exporter refuses for now: it is always 1 here and squeezed out between layers).
 * The head, when the model has one, is MatMul with head.weightᵀ then Add head.bias on the [T, B, H]
 * sequence, as rnnlab applies it at every step.
 *
 * Gate orders differ between PyTorch (whose layout rnnlab uses) and ONNX, so the weight row blocks are
 * reordered on export:
 *
 *   LSTM  PyTorch i f g o  →  ONNX i o f c      (g is ONNX's c, the cell candidate)
 *   GRU   PyTorch r z n    →  ONNX z r h        with linear_before_reset = 1, PyTorch's
 *                                               n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
 *   RNN   one block; activation Tanh or Relu
 *
 * W [1, G·H, D] = weight_ih, R [1, G·H, H] = weight_hh, B [1, 2·G·H] = [bias_ih; bias_hh] (zeros for a
 * model built with bias: false), all reordered as above.
 *
 * Layout: ONNX's ops are time-major. A batchFirst model is exported with a Transpose on x and on y, so
 * the ONNX model takes and gives [B, T, ·] exactly as the rnnlab model does; states are [L, B, H] either
 * way (as in rnnlab and PyTorch). T and B are dynamic axes. Unbatched [T, D] input is not part of the
 * exported interface: give B = 1.
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
   * Add graph inputs h0 [numLayers, B, H] (and c0 for an LSTM) for the initial state. Default false:
   * the state starts at zero, as rnnlab's forward(x) without a state.
   */
  initialState?: boolean;
  /** The exported element type. Only 'float32' (the default) is supported; see the file comment. */
  dtype?: 'float32';
  /** Stored as the model's doc_string (e.g. where the weights came from). */
  docString?: string;
}

const OPTION_KEYS = ['initialState', 'dtype', 'docString'] as const;

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

function checkOptions(options: unknown): Required<Omit<OnnxExportOptions, 'docString'>> & { docString: string } {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`options: expected an object {${OPTION_KEYS.join(', ')}}, got ${describe(options)}`);
  }
  const o = options as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!(OPTION_KEYS as readonly string[]).includes(k)) throw new RangeError(`options.${k}: unknown option (expected one of ${OPTION_KEYS.join(', ')})`);
  }
  if (o.initialState !== undefined && typeof o.initialState !== 'boolean') throw new TypeError(`options.initialState: expected true or false, got ${describe(o.initialState)}`);
  if (o.dtype !== undefined && o.dtype !== 'float32') {
    throw new RangeError(`options.dtype: expected 'float32' (onnxruntime's RNN, LSTM and GRU kernels are float32 only; a float64 model is exported rounded to float32), got ${describe(o.dtype)}`);
  }
  if (o.docString !== undefined && typeof o.docString !== 'string') throw new TypeError(`options.docString: expected a string, got ${describe(o.docString)}`);
  return { initialState: o.initialState === true, dtype: 'float32', docString: (o.docString as string | undefined) ?? '' };
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
 * Exports an rnnlab RNN, LSTM or GRU (any number of layers, with or without bias or head, tanh or relu
 * RNN, batchFirst or not) as an ONNX model (the bytes of a .onnx file). Graph inputs: x, and h0 (c0)
 * with `initialState`; outputs: y (the head's output, or the top layer's h at every step), h_n, and c_n
 * for an LSTM. See the file comment for the graph and the gate-order conversions.
 */
export function exportOnnx(model: RNN | LSTM | GRU, options: OnnxExportOptions = {}): Uint8Array {
  const kind = model instanceof LSTM ? 'LSTM' : model instanceof GRU ? 'GRU' : model instanceof RNN ? 'RNN' : null;
  if (kind === null) throw new TypeError(`model: expected an rnnlab RNN, LSTM or GRU, got ${describe(model)}`);
  if (model.bidirectional) throw new RangeError('model: a bidirectional layer is not exported to ONNX yet (direction="bidirectional" is still to come); export a one-directional model');
  const opts = checkOptions(options);
  const { op, order } = LAYOUT[kind];
  const D = model.inputSize, H = model.hiddenSize, L = model.numLayers, G = order.length;
  const sd = model.stateDict();
  for (const [name, t] of Object.entries(sd)) finite(name, t);

  const g = new GraphBuilder();
  const bf = model.batchFirst;
  const seq = (w: number): Dim[] => (bf ? ['B', 'T', w] : ['T', 'B', w]);
  const stateDims: Dim[] = [L, 'B', H];
  let x = g.input('x', 'float32', seq(D));
  if (bf) {
    const xt = g.fresh('x_time_major');
    g.node('Transpose', [x], [xt], { perm: [1, 0, 2] });
    x = xt;
  }
  const h0 = opts.initialState ? g.input('h0', 'float32', stateDims) : null;
  const c0 = opts.initialState && kind === 'LSTM' ? g.input('c0', 'float32', stateDims) : null;
  const axis0 = opts.initialState ? g.int64('axes_0', [0]) : ''; // only Slice uses it; unused constants draw warnings
  const axis1 = g.int64('axes_1', [1]);
  /** initial state of layer l, [1, B, H]: a Slice of the [L, B, H] input. */
  const slice = (state: string, l: number): string => {
    const out = g.fresh(`${state}_l${l}`);
    g.node('Slice', [state, g.int64(g.fresh(`start_l${l}`), [l]), g.int64(g.fresh(`end_l${l}`), [l + 1]), axis0], [out]);
    return out;
  };

  const hs: string[] = [], cs: string[] = [];
  for (let l = 0; l < L; l++) {
    const W = g.float(`W_l${l}`, [1, G * H, l === 0 ? D : H], reorder(sd[`weight_ih_l${l}`], order, H));
    const R = g.float(`R_l${l}`, [1, G * H, H], reorder(sd[`weight_hh_l${l}`], order, H));
    const bias = new Float32Array(2 * G * H);
    if (model.hasBias) {
      bias.set(reorder(sd[`bias_ih_l${l}`], order, H), 0);
      bias.set(reorder(sd[`bias_hh_l${l}`], order, H), G * H);
    }
    const B = g.float(`B_l${l}`, [1, 2 * G * H], bias);
    const inputs = [x, W, R, B, '', h0 === null ? '' : slice(h0, l)];
    if (kind === 'LSTM') inputs.push(c0 === null ? '' : slice(c0, l));
    const Y = g.fresh(`Y_l${l}`), Yh = g.fresh(`Y_h_l${l}`);
    const outputs = [Y, Yh];
    if (kind === 'LSTM') outputs.push(g.fresh(`Y_c_l${l}`));
    const attrs: Record<string, number | string[]> = { hidden_size: H };
    if (kind === 'GRU') attrs.linear_before_reset = 1;
    if (model instanceof RNN) attrs.activations = [model.nonlinearity === 'relu' ? 'Relu' : 'Tanh'];
    g.node(op, inputs, outputs, attrs);
    hs.push(Yh);
    if (kind === 'LSTM') cs.push(outputs[2]);
    const next = g.fresh(`h_seq_l${l}`);
    g.node('Squeeze', [Y, axis1], [next]); // [T, 1, B, H] → [T, B, H]
    x = next;
  }

  let y = x;
  let width = H;
  if (model.outputSize !== null) {
    width = model.outputSize;
    const w = sd['head.weight'];
    const wt = new Float32Array(H * width); // head.weightᵀ [H, O] for MatMul(y, ·)
    for (let o = 0; o < width; o++) for (let j = 0; j < H; j++) wt[j * width + o] = w.data[o * H + j];
    const mm = g.fresh('head_matmul');
    g.node('MatMul', [y, g.float('head.weight_T', [H, width], wt)], [mm]);
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
  const doc = opts.docString || `rnnlab ${kind}: inputSize ${D}, hiddenSize ${H}, numLayers ${L}${model.outputSize !== null ? `, outputSize ${model.outputSize}` : ''}${bf ? ', batch-first' : ''}`;
  return g.encode(`rnnlab_${kind.toLowerCase()}`, ONNX_OPSET, doc);
}

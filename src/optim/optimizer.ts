/**
 * The shared part of every optimizer: which (parameter, gradient) pairs it walks, the per-parameter
 * state buffers, the step count, and saving/restoring all of that.
 *
 * As in PyTorch, an optimizer only reads `grad.data` and writes `param.data` in place; it never runs
 * forward or backward. Buffers live in the parameter's dtype, so a float32 model keeps float32
 * moments, which is what torch does and what makes float32 runs agree with it.
 */
import { Module, type NamedParameter } from '../layers/module.js';
import { checkOptions, checkTensor, fmtShape, describeValue } from '../tensor/check.js';
import { allocate, type FloatArray, type Tensor } from '../tensor/tensor.js';
import { markWritten } from '../tensor/version.js';

/** One trainable tensor and its gradient buffer (which the caller's backward pass fills). */
export interface ParamRef {
  readonly param: Tensor;
  readonly grad: Tensor;
  readonly name?: string;
}

/** A Module (its parameters() in order), its NamedParameters, or bare {param, grad} pairs. */
export type ParamsInput = Module | readonly NamedParameter[] | readonly ParamRef[];

/** Optimizer state as plain JSON-able data: hyperparameters, step count, and buffers per parameter. */
export interface OptimizerStateDict {
  /** The optimizer's class name, e.g. 'Adam'; loading into another kind is refused. */
  type: string;
  /** Hyperparameters at save time (including the current lr, so schedules resume where they were). */
  options: Record<string, number | boolean | number[]>;
  /** Number of step() calls so far. */
  step: number;
  /** One entry per parameter, in order: its name and its named buffers as number arrays. */
  state: Array<{ name: string; buffers: Record<string, number[]> }>;
}

export abstract class Optimizer<O extends { lr: number }> {
  /** The parameters, in the order given. */
  protected readonly params: ReadonlyArray<{ readonly name: string; readonly param: Tensor; readonly grad: Tensor }>;
  /** Hyperparameters after defaults and validation. */
  protected opts: O;
  /** Steps taken (torch's state['step'], shared because every parameter steps together here). */
  protected steps = 0;
  /** Named buffers per parameter (exp_avg, momentum_buffer, ...), created lazily by each optimizer. */
  protected buffers: Array<Record<string, FloatArray>>;

  /** `opts` are the full options (defaults applied); `known` their names, against which unknown keys are refused. */
  protected constructor(params: ParamsInput, opts: O, known: readonly string[]) {
    checkOptions('options', opts, known);
    this.params = collect(params);
    this.buffers = this.params.map(() => ({}));
    this.opts = this.validate(opts);
  }

  /** Checks the full options (defaults already applied) and returns them; throws RangeError naming the option. */
  protected abstract validate(opts: O): O;

  /** The name stateDict() records ('Adam', ...), explicit so that minified class names cannot break checkpoints. */
  protected abstract readonly kind: string;

  /** Updates one parameter in place: p and g are its data, `state` its buffers, `t` the step (1-based). */
  protected abstract update(i: number, p: FloatArray, g: FloatArray, t: number): void;

  /** Learning rate; settable between steps for schedules. */
  get lr(): number {
    return this.opts.lr;
  }
  set lr(v: number) {
    this.opts = { ...this.opts, lr: checkLr(v) };
  }

  /** Current hyperparameters (a copy). */
  get options(): Readonly<O> {
    return { ...this.opts };
  }

  /** Steps taken so far. */
  get stepCount(): number {
    return this.steps;
  }

  /** One update of every parameter from its current gradient. */
  step(): void {
    this.steps++;
    this.params.forEach(({ param, grad }, i) => {
      this.update(i, param.data, grad.data, this.steps);
      markWritten(param.data);
    });
  }

  /** Zeroes every gradient buffer (call before each backward, since backward accumulates). */
  zeroGrad(): void {
    for (const { grad } of this.params) grad.data.fill(0);
  }

  /** The buffer `key` of parameter i, created on first use filled with `init` (default 0). */
  protected buffer(i: number, key: string, init = 0): FloatArray {
    let b = this.buffers[i][key];
    if (!b) {
      b = allocate(this.params[i].param.dtype, this.params[i].param.size);
      if (init !== 0) b.fill(init);
      this.buffers[i][key] = b;
    }
    return b;
  }

  /** Whether parameter i already has buffer `key` (SGD starts its momentum differently on step 1). */
  protected hasBuffer(i: number, key: string): boolean {
    return key in this.buffers[i];
  }

  stateDict(): OptimizerStateDict {
    const options: Record<string, number | boolean | number[]> = {};
    for (const [k, v] of Object.entries(this.opts)) options[k] = Array.isArray(v) ? [...(v as number[])] : (v as number | boolean);
    return {
      type: this.kind,
      options,
      step: this.steps,
      state: this.params.map(({ name }, i) => {
        const buffers: Record<string, number[]> = {};
        for (const [k, b] of Object.entries(this.buffers[i])) buffers[k] = Array.from(b);
        return { name, buffers };
      }),
    };
  }

  /**
   * Restores what stateDict() saved, into an optimizer over the same parameters (same count, names and
   * sizes). Everything is checked before anything changes.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    if (sd === null || typeof sd !== 'object') throw new TypeError(`stateDict: expected an object, got ${describeValue(sd)}`);
    if (sd.type !== this.kind) {
      throw new TypeError(`stateDict.type: expected '${this.kind}', got ${describeValue(sd.type)}`);
    }
    if (!Number.isInteger(sd.step) || sd.step < 0) throw new RangeError(`stateDict.step: expected an integer >= 0, got ${describeValue(sd.step)}`);
    if (!Array.isArray(sd.state) || sd.state.length !== this.params.length) {
      throw new RangeError(`stateDict.state: expected ${this.params.length} entries (one per parameter), got ${Array.isArray(sd.state) ? sd.state.length : typeof sd.state}`);
    }
    checkOptions('stateDict.options', sd.options, Object.keys(this.opts));
    const opts = this.validate({ ...this.opts, ...(sd.options as unknown as Partial<O>) });
    const buffers = sd.state.map((entry, i) => {
      const { name, param } = this.params[i];
      if (entry?.name !== name) throw new RangeError(`stateDict.state[${i}].name: expected '${name}', got ${describeValue(entry?.name)}`);
      const out: Record<string, FloatArray> = {};
      for (const [k, values] of Object.entries(entry.buffers ?? {})) {
        if (!Array.isArray(values) || values.length !== param.size || values.some((v) => typeof v !== 'number')) {
          throw new RangeError(`stateDict.state[${i}].buffers.${k}: expected ${param.size} numbers (parameter '${name}' ${fmtShape(param.shape)}), got ${Array.isArray(values) ? values.length : typeof values}`);
        }
        const bad = values.findIndex((v) => !Number.isFinite(v));
        if (bad >= 0) throw new RangeError(`stateDict.state[${i}].buffers.${k}: expected finite numbers, got ${describeValue(values[bad])} at index ${bad}`);
        const b = allocate(param.dtype, param.size);
        b.set(values);
        out[k] = b;
      }
      return out;
    });
    this.opts = opts;
    this.steps = sd.step;
    this.buffers = buffers;
  }
}

/** lr: finite and >= 0, as torch requires. */
export function checkLr(v: unknown, name = 'lr'): number {
  return checkRange(name, v, 0, Infinity);
}

/** A finite number in [min, max] (max exclusive when `openMax`), else a RangeError naming it. */
export function checkRange(name: string, v: unknown, min: number, max: number, openMax = false): number {
  const ok = typeof v === 'number' && Number.isFinite(v) && v >= min && (openMax ? v < max : v <= max);
  if (!ok) {
    const range = max === Infinity ? `>= ${min}` : `in [${min}, ${max}${openMax ? ')' : ']'}`;
    throw new RangeError(`${name}: expected a finite number ${range}, got ${describeValue(v)}`);
  }
  return v as number;
}

export function checkBool(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${name}: expected true or false, got ${describeValue(v)}`);
  return v;
}

function collect(params: ParamsInput): Array<{ name: string; param: Tensor; grad: Tensor }> {
  const list: readonly ParamRef[] = params instanceof Module ? params.parameters() : params;
  if (!Array.isArray(list)) throw new TypeError(`params: expected a Module or an array of {param, grad}, got ${typeof params}`);
  if (list.length === 0) throw new RangeError('params: expected at least one parameter, got an empty list');
  const seen = new Set<Tensor>();
  return list.map((p: ParamRef, i: number) => {
    const label = `params[${i}]`;
    if (p === null || typeof p !== 'object') throw new TypeError(`${label}: expected {param, grad}, got ${describeValue(p)}`);
    checkTensor(`${label}.param`, p.param);
    checkTensor(`${label}.grad`, p.grad);
    if (p.grad.size !== p.param.size || p.grad.dtype !== p.param.dtype) {
      throw new RangeError(`${label}.grad: expected ${p.param.dtype} ${fmtShape(p.param.shape)} (as its param), got ${p.grad.dtype} ${fmtShape(p.grad.shape)}`);
    }
    if (seen.has(p.param)) throw new RangeError(`${label}: the same parameter appears twice`);
    seen.add(p.param);
    return { name: p.name ?? String(i), param: p.param, grad: p.grad };
  });
}

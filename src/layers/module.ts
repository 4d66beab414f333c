/**
 * A Module owns named parameters and their gradients, in PyTorch's state_dict order and naming, so that
 * a state dict moves between rnnlab and `torch.nn` without renaming anything.
 */
import { checkFinite, checkOptionalBoolean, checkOptions, checkTensor, fmtShape, describeValue } from '../tensor/check.js';
import { Tensor, zeros, type DType } from '../tensor/tensor.js';
import { markWritten } from '../tensor/version.js';

export interface NamedParameter {
  readonly name: string;
  readonly param: Tensor;
  readonly grad: Tensor;
}

export interface LoadStateDictOptions {
  /** Take only the keys that start with this ('lstm.'), stripped of it. */
  prefix?: string;
  /** Missing or unexpected keys are an error (default true). */
  strict?: boolean;
}

/** The keys loadStateDict did not match, with the prefix (PyTorch's `_IncompatibleKeys`). */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

export abstract class Module {
  readonly dtype: DType;
  private readonly params = new Map<string, NamedParameter>();
  /**
   * How many times loadStateDict() replaced the weights. A forward pass records it, and its backward
   * refuses to run if it changed, since it would differentiate the old forward with the new weights
   * (PyTorch refuses the same through its tensors' version counters).
   */
  protected weightsVersion = 0;
  /** Training mode (the default) or evaluation mode, as PyTorch's `module.training`: dropout acts only in training. */
  training = true;

  protected constructor(dtype: DType) {
    if (dtype !== 'float32' && dtype !== 'float64') {
      throw new TypeError(`dtype: expected 'float32' or 'float64', got ${describeValue(dtype)}`);
    }
    this.dtype = dtype;
  }

  /** Registers a zero-filled parameter (and its zero gradient); returns the parameter. */
  protected addParameter(name: string, shape: readonly number[]): Tensor {
    const p = { name, param: zeros(shape, this.dtype), grad: zeros(shape, this.dtype) };
    this.params.set(name, p);
    return p.param;
  }

  protected parameter(name: string): NamedParameter {
    const p = this.params.get(name);
    if (!p) throw new Error(`internal: no parameter ${name}`);
    return p;
  }

  /** Sets training mode (or evaluation mode with `false`), as PyTorch's `module.train(mode)`; returns the module. */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new TypeError(`mode: expected true or false, got ${describeValue(mode)}`);
    this.training = mode;
    return this;
  }

  /** Evaluation mode, as PyTorch's `module.eval()`: no dropout. Returns the module. */
  eval(): this {
    return this.train(false);
  }

  /** Parameters with their live gradient buffers, in state_dict order (what optimizers walk). */
  parameters(): NamedParameter[] {
    return [...this.params.values()];
  }

  /** Copies of the parameters, keyed and shaped exactly as PyTorch's `state_dict()`. */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const { name, param } of this.params.values()) out[name] = param.clone();
    return out;
  }

  /**
   * Copies values in, converting dtype as PyTorch's `load_state_dict` does; nothing is changed unless
   * every key given checks out (shape, finite values).
   * - `prefix` ('lstm.') takes only the keys under it, with the prefix stripped, so one state dict of a
   *   whole PyTorch model (`embedding.weight`, `lstm.weight_ih_l0`, `fc.weight`) loads module by module.
   *   A prefix that matches no key is an error: it is a typo, not an empty module.
   * - `strict` (default true): a missing or unexpected key (under the prefix) is an error naming them.
   *   With `strict: false` the keys present are loaded and the others are returned, as PyTorch returns
   *   them.
   */
  loadStateDict(sd: Record<string, Tensor>, options: LoadStateDictOptions = {}): LoadStateDictResult {
    if (sd === null || typeof sd !== 'object') throw new TypeError(`stateDict: expected an object of Tensors, got ${describeValue(sd)}`);
    checkOptions('options', options, ['prefix', 'strict']);
    const strict = checkOptionalBoolean('options.strict', options.strict) ?? true;
    const prefix = options.prefix ?? '';
    if (typeof prefix !== 'string') throw new TypeError(`options.prefix: expected a string such as 'lstm.', got ${describeValue(prefix)}`);
    const keys = Object.keys(sd).filter((k) => k.startsWith(prefix));
    if (prefix !== '' && keys.length === 0) {
      const shown = Object.keys(sd).slice(0, 8);
      throw new RangeError(`options.prefix: no key of the state dict starts with '${prefix}' (its keys: ${shown.join(', ')}${Object.keys(sd).length > shown.length ? ', ...' : ''})`);
    }
    const local = (k: string): string => k.slice(prefix.length);
    const expected = [...this.params.keys()];
    const missing = expected.filter((k) => !Object.hasOwn(sd, prefix + k));
    const extra = keys.filter((k) => !this.params.has(local(k)));
    if (strict && (missing.length || extra.length)) {
      const parts = [];
      if (missing.length) parts.push(`missing keys ${missing.map((k) => prefix + k).join(', ')}`);
      if (extra.length) parts.push(`unexpected keys ${extra.join(', ')}`);
      throw new RangeError(`stateDict: ${parts.join('; ')} (expected exactly ${expected.map((k) => prefix + k).join(', ')})`);
    }
    const present = expected.filter((k) => Object.hasOwn(sd, prefix + k));
    for (const name of present) {
      const { param } = this.params.get(name)!;
      const t = sd[prefix + name];
      checkTensor(`stateDict['${prefix + name}']`, t);
      if (t.shape.length !== param.shape.length || t.shape.some((d, i) => d !== param.shape[i])) {
        throw new RangeError(`stateDict['${prefix + name}']: expected shape ${fmtShape(param.shape)}, got ${fmtShape(t.shape)}`);
      }
      checkFinite(`stateDict['${prefix + name}']`, t);
    }
    for (const name of present) {
      const { data } = this.params.get(name)!.param;
      data.set(sd[prefix + name].data);
      markWritten(data);
    }
    if (present.length) this.weightsVersion++;
    return { missingKeys: missing.map((k) => prefix + k), unexpectedKeys: extra };
  }

  /** The accumulated gradients (live buffers, like PyTorch's `.grad`), same keys as `stateDict()`. */
  gradients(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const { name, grad } of this.params.values()) out[name] = grad;
    return out;
  }

  zeroGrad(): void {
    for (const { grad } of this.params.values()) grad.data.fill(0);
  }

  /** Number of scalar parameters. */
  numParameters(): number {
    let n = 0;
    for (const { param } of this.params.values()) n += param.size;
    return n;
  }
}

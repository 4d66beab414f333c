/**
 * A Module owns named parameters and their gradients, in PyTorch's state_dict order and naming, so that
 * a state dict moves between rnnlab and `torch.nn` without renaming anything.
 */
import { checkFinite, checkTensor, fmtShape, describeValue } from '../tensor/check.js';
import { Tensor, zeros, type DType } from '../tensor/tensor.js';

export interface NamedParameter {
  readonly name: string;
  readonly param: Tensor;
  readonly grad: Tensor;
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
   * Copies values in, converting dtype as PyTorch's `load_state_dict` does. Strict: a missing, extra or
   * misshaped key is an error, and nothing is changed unless every key checks out.
   */
  loadStateDict(sd: Record<string, Tensor>): void {
    if (sd === null || typeof sd !== 'object') throw new TypeError(`stateDict: expected an object of Tensors, got ${describeValue(sd)}`);
    const expected = [...this.params.keys()];
    const missing = expected.filter((k) => !(k in sd));
    const extra = Object.keys(sd).filter((k) => !this.params.has(k));
    if (missing.length || extra.length) {
      const parts = [];
      if (missing.length) parts.push(`missing keys ${missing.join(', ')}`);
      if (extra.length) parts.push(`unexpected keys ${extra.join(', ')}`);
      throw new RangeError(`stateDict: ${parts.join('; ')} (expected exactly ${expected.join(', ')})`);
    }
    for (const [name, { param }] of this.params) {
      const t = sd[name];
      checkTensor(`stateDict['${name}']`, t);
      if (t.shape.length !== param.shape.length || t.shape.some((d, i) => d !== param.shape[i])) {
        throw new RangeError(`stateDict['${name}']: expected shape ${fmtShape(param.shape)}, got ${fmtShape(t.shape)}`);
      }
      checkFinite(`stateDict['${name}']`, t);
    }
    for (const [name, { param }] of this.params) param.data.set(sd[name].data);
    this.weightsVersion++;
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

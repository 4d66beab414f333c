/**
 * One way to build an optimizer from a name: `makeOptimizer(model, { kind: 'adam', lr: 1e-3, ... })`.
 * Specs name optimizers by OptimizerKind ('sgd', 'adam', ...); an optimizer's state dict (and so a
 * checkpoint file) names its class ('SGD', 'Adam', ...), as PyTorch's do; `optimizerKindOf` converts.
 */
import { Adagrad } from './adagrad.js';
import { Adam, AdamW } from './adam.js';
import type { Optimizer, ParamsInput } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';
import { describeValue } from '../tensor/check.js';

export type OptimizerKind = 'sgd' | 'adam' | 'adamw' | 'rmsprop' | 'adagrad';

export interface OptimizerSpec {
  kind: OptimizerKind;
  lr: number;
  /** Any other option of the chosen optimizer (momentum, betas, weightDecay, ...). */
  [option: string]: unknown;
}

/** The class name each optimizer writes as `stateDict().type`. */
export const OPTIMIZER_CLASS = { sgd: 'SGD', adam: 'Adam', adamw: 'AdamW', rmsprop: 'RMSprop', adagrad: 'Adagrad' } as const satisfies Record<OptimizerKind, string>;
export const OPTIMIZER_KINDS = Object.keys(OPTIMIZER_CLASS) as OptimizerKind[];

const CONSTRUCTORS: Record<OptimizerKind, new (params: ParamsInput, options: never) => unknown> = {
  sgd: SGD, adam: Adam, adamw: AdamW, rmsprop: RMSprop, adagrad: Adagrad,
};

/** Builds the optimizer named by spec.kind over `params`; errors name `options.optimizer.*`. */
export function makeOptimizer(params: ParamsInput, spec: OptimizerSpec): Optimizer<{ lr: number }> {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new RangeError(`options.optimizer: expected an object, got ${describeValue(spec)}`);
  const { kind, ...rest } = spec;
  if (typeof rest.lr !== 'number' || !Number.isFinite(rest.lr) || rest.lr <= 0) {
    throw new RangeError(`options.optimizer.lr: expected a finite number > 0, got ${describeValue(rest.lr)}`);
  }
  if (!Object.hasOwn(CONSTRUCTORS, kind)) {
    throw new RangeError(`options.optimizer.kind: expected one of ${OPTIMIZER_KINDS.map((k) => `'${k}'`).join(', ')}, got ${describeValue(kind)}`);
  }
  try {
    return new CONSTRUCTORS[kind](params, rest as never) as Optimizer<{ lr: number }>;
  } catch (e) {
    const err = e as Error;
    const Ctor = err instanceof TypeError ? TypeError : RangeError;
    throw new Ctor(`options.optimizer (${String(kind)}): ${err.message}`);
  }
}

/** The kind of an optimizer's state dict type ('Adam' → 'adam'); errors name `optimizer.type`. */
export function optimizerKindOf(type: unknown): OptimizerKind {
  const kind = OPTIMIZER_KINDS.find((k) => OPTIMIZER_CLASS[k] === type);
  if (kind === undefined) throw new RangeError(`optimizer.type: expected one of ${Object.values(OPTIMIZER_CLASS).join(', ')}, got ${describeValue(type)}`);
  return kind;
}

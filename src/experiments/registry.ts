/** Every experiment by name, in the order `rnnlab experiment --list` shows them. */
import { attentionVsLstm } from './attention-vs-lstm.js';
import { cellProbe } from './cell-probe.js';
import type { Experiment } from './experiment.js';
import { tiedWeights } from './tied-weights.js';
import { forgetBias } from './forget-bias.js';
import { rnnLstmGru } from './rnn-lstm-gru.js';
import { gateClamp } from './gate-clamp.js';
import { gateRoles } from './gate-roles.js';
import { lstmPaths } from './lstm-paths.js';
import { describeValue } from '../tensor/check.js';

export const experiments: Experiment[] = [tiedWeights, gateRoles, forgetBias, rnnLstmGru, attentionVsLstm, cellProbe, lstmPaths, gateClamp];

export function findExperiment(name: string): Experiment {
  const e = experiments.find((x) => x.name === name);
  if (!e) {
    throw new RangeError(`experiment: expected one of ${experiments.map((x) => `'${x.name}'`).join(', ')}, got ${describeValue(name)}`);
  }
  return e;
}

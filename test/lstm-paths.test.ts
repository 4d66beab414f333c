/**
 * The experiment behind theory A5's path decomposition (src/experiments/lstm-paths.ts): exact and
 * internally consistent, so the doc's table can be trusted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gruPathNorms, lstmPathNorms, lstmPaths } from '../src/experiments/lstm-paths.js';

describe('A5: the paths of the LSTM gradient', () => {
  const o = { H: 6, D: 3, T: 12, forgetBias: 3, seed: 4 };
  const n = lstmPathNorms(o);
  it('one step back, the direct cell path and the full product agree, and nothing leaves c without the c → c block', () => {
    assert.ok(Math.abs(n.direct[1]! - n.full[1]!) < 1e-12);
    assert.equal(n.withoutCellPath[1], 0);
  });
  it('the direct path is exactly ∏ f along c: each step back shrinks it, by a forget gate below 1', () => {
    for (let k = 1; k <= o.T; k++) assert.ok(n.direct[k]! < n.direct[k - 1]!);
  });
  it('the quick run reports the full product above the direct path at the longest lag, with forget bias 3', () => {
    const r = lstmPaths.run({ seed: 0, quick: true }, () => {});
    const rows = r.data as { forgetBias: number; lag: number; direct: number; full: number; withoutCellPath: number }[];
    const last = rows.filter((x) => x.forgetBias === 3).at(-1)!;
    assert.ok(last.full > last.direct && last.withoutCellPath < 1e-6 * last.direct, JSON.stringify(last));
  });
  it("the GRU's direct path is its update gate's shortcut: every variant carries gradient one step back, and 12 steps back less arrives without the shortcut than by it alone", () => {
    const g = gruPathNorms({ H: 6, D: 3, T: 12, seed: 2 });
    assert.ok(g.direct[1]! > 0 && g.full[1]! > 0 && g.withoutCellPath[1]! > 0);
    assert.ok(g.withoutCellPath[12]! < g.direct[12]!, JSON.stringify({ direct: g.direct[12], without: g.withoutCellPath[12] }));
  });
});

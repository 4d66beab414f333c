import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LRSchedule, type ScheduleSpec } from '../src/optim/schedule.js';
import { loadFixture } from './helpers/fixtures.js';

interface Case {
  spec: ScheduleSpec;
  lr0: number;
  lrs: number[];
}

const opt = (lr: number) => ({ lr });

describe('learning-rate schedules', () => {
  for (const c of loadFixture<Case[]>('schedule')) {
    it(`${c.spec.kind}: the lr after every step() matches PyTorch's scheduler`, () => {
      const o = opt(c.lr0);
      const s = new LRSchedule(o, c.spec);
      // torch's cosine rises again after T_max; ours stays at lrMin (documented), so compare up to T.
      const upTo = c.spec.kind === 'cosine' || c.spec.kind === 'warmup-cosine' ? c.spec.totalSteps : c.lrs.length;
      for (let t = 0; t < upTo; t++) {
        s.step();
        assert.ok(Math.abs(o.lr - c.lrs[t]) <= 1e-12 * c.lr0, `t=${t + 1}: ${o.lr} vs ${c.lrs[t]}`);
      }
    });
  }

  it('cosine stays at lrMin after totalSteps', () => {
    const s = new LRSchedule(opt(1), { kind: 'cosine', totalSteps: 4, lrMin: 0.1 });
    assert.equal(s.lrAt(4), 0.1);
    assert.equal(s.lrAt(9), 0.1);
  });

  it('a resumed schedule continues exactly where it stopped', () => {
    const spec: ScheduleSpec = { kind: 'warmup-cosine', warmupSteps: 3, totalSteps: 12 };
    const a = opt(0.5), sa = new LRSchedule(a, spec);
    for (let i = 0; i < 5; i++) sa.step();
    const b = opt(0.5), sb = new LRSchedule(b, spec);
    sb.loadStateDict(sa.stateDict());
    assert.equal(b.lr, a.lr);
    assert.equal(sb.step(), sa.step());
  });

  it('impossible settings name the option', () => {
    assert.throws(() => new LRSchedule(opt(0.1), { kind: 'step', stepSize: 0 }), /schedule\.stepSize: expected a positive integer, got 0/);
    assert.throws(() => new LRSchedule(opt(0.1), { kind: 'warmup-cosine', warmupSteps: 10, totalSteps: 10 }), /schedule\.totalSteps: expected more than warmupSteps \(10\), got 10/);
    assert.throws(() => new LRSchedule(opt(0.1), { kind: 'exp' } as unknown as ScheduleSpec), /schedule\.kind: expected one of/);
    assert.throws(() => new LRSchedule(opt(NaN), { kind: 'constant' }), /optimizer\.lr/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoDefaults, runDemo } from '../src/cli/demo.js';
import { runRnnlab } from './helpers/cli.js';

const cli = (...args: string[]) => runRnnlab(args);

describe('the rnnlab command', () => {
  it('the training loss falls and the test MSE beats the memoryless baseline', () => {
    const r = runDemo({ ...demoDefaults, steps: 150, every: 50 }, () => {});
    const first = r.curve[0][1], last = r.curve[r.curve.length - 1][1];
    assert.ok(last < first / 5, `loss ${first} → ${last}`);
    assert.ok(r.testLoss < r.baseline / 2, `test ${r.testLoss} vs baseline ${r.baseline}`);
  });

  it('the same seed gives the same loss curve', () => {
    const o = { ...demoDefaults, steps: 20, every: 10 };
    assert.deepEqual(runDemo(o, () => {}).curve, runDemo(o, () => {}).curve);
  });

  it('the command prints the loss table and exits 0', () => {
    const r = cli('demo', '--steps', '30', '--every', '10', '--hidden', '8');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /step\s+train MSE\s+grad norm/);
    assert.match(r.stdout, /Test MSE [\d.]+ vs baseline/);
  });

  it('an unknown flag is an error, not silently ignored', () => {
    const r = cli('demo', '--stepz', '3');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /unknown option '--stepz'/);
  });

  it('an impossible value names the flag and the value', () => {
    const r = cli('demo', '--hidden', '0');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /--hidden <n>.*expected a positive integer, got "0"/);
  });

  it('experiment --list names every experiment, and an unknown one is an error listing them', () => {
    const list = cli('experiment', '--list');
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /tied-weights/);
    const bad = cli('experiment', 'nope');
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /experiment: expected one of 'tied-weights'.*got "nope"/);
  });

  it('experiment <name> --quick prints its table and conclusion', () => {
    const r = cli('experiment', 'tied-weights', '--quick');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\| /m);
    assert.match(r.stdout, /rnnlab experiment tied-weights --quick --seed 0/);
  });
});

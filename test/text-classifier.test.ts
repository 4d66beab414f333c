/**
 * The model PyTorch users bring: Embedding → bidirectional LSTM on a padded batch → Linear on the final
 * states, trained a few steps in torch and saved to safetensors (scripts/fixtures_textclf.py), loaded
 * module by module under its prefixes. docs/interop.md shows the same code.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decodeSafetensors } from '../src/io/safetensors.js';
import { Embedding } from '../src/layers/embedding.js';
import { Linear } from '../src/layers/linear.js';
import { crossEntropyLoss } from '../src/layers/loss.js';
import { LSTM } from '../src/layers/models.js';
import { Tensor } from '../src/tensor/tensor.js';
import { loadFixture, maxRelError, type JsonTensor } from './helpers/fixtures.js';

const fx = loadFixture<{ V: number; E: number; H: number; C: number; B: number; T: number; ids: number[]; lengths: number[]; labels: number[]; logits: JsonTensor; grads: Record<string, JsonTensor> }>('text-classifier');
const { V, E, H, C, B, T } = fx;

function classifier(): { embedding: Embedding; lstm: LSTM; fc: Linear } {
  const sd = decodeSafetensors(new Uint8Array(readFileSync(new URL('./fixtures/torch-text-classifier.safetensors', import.meta.url)))).tensors;
  const embedding = new Embedding(V, E, { paddingIdx: 0 });
  const lstm = new LSTM({ inputSize: E, hiddenSize: H, bidirectional: true, batchFirst: true });
  const fc = new Linear(2 * H, C);
  embedding.loadStateDict(sd, { prefix: 'embedding.' });
  lstm.loadStateDict(sd, { prefix: 'lstm.' });
  fc.loadStateDict(sd, { prefix: 'fc.' });
  return { embedding, lstm, fc };
}

/** [2, B, H] final states → [B, 2H]: forward direction's h, then the reverse's, as torch.cat([h[0], h[1]], 1). */
function concatDirections(h: Tensor): Tensor {
  const out = new Float32Array(B * 2 * H);
  for (let b = 0; b < B; b++) {
    out.set(h.data.subarray(b * H, (b + 1) * H), b * 2 * H);
    out.set(h.data.subarray((B + b) * H, (B + b + 1) * H), b * 2 * H + H);
  }
  return new Tensor(out, [B, 2 * H]);
}

function splitDirections(d: Tensor): Tensor {
  const out = new Float32Array(2 * B * H);
  for (let b = 0; b < B; b++) {
    out.set(d.data.subarray(b * 2 * H, b * 2 * H + H), b * H);
    out.set(d.data.subarray(b * 2 * H + H, (b + 1) * 2 * H), (B + b) * H);
  }
  return new Tensor(out, [2, B, H]);
}

describe('a PyTorch text classifier in rnnlab', () => {
  it('gives torch’s logits on a padded batch (float32, rel. error < 1e-6)', () => {
    const { embedding, lstm, fc } = classifier();
    const { h } = lstm.forward(embedding.forward(fx.ids, [B, T]), {}, { lengths: fx.lengths });
    const logits = fc.forward(concatDirections(h));
    assert.ok(maxRelError(logits, fx.logits) < 1e-6, `${maxRelError(logits, fx.logits)}`);
  });

  it('gives torch’s gradients of the cross-entropy for every parameter, prefixed names and all', () => {
    const { embedding, lstm, fc } = classifier();
    const { h } = lstm.forward(embedding.forward(fx.ids, [B, T]), {}, { lengths: fx.lengths });
    const { grad } = crossEntropyLoss(fc.forward(concatDirections(h)), fx.labels);
    const dh = splitDirections(fc.backward(grad));
    embedding.backward(lstm.backward(null, { h: dh, c: new Tensor(new Float32Array(2 * B * H), [2, B, H]) }).dx);
    const ours: Record<string, Tensor> = {};
    for (const [prefix, m] of [['embedding.', embedding], ['lstm.', lstm], ['fc.', fc]] as const) {
      for (const [k, g] of Object.entries(m.gradients())) ours[prefix + k] = g;
    }
    assert.deepEqual(Object.keys(ours).sort(), Object.keys(fx.grads).sort());
    for (const [k, want] of Object.entries(fx.grads)) assert.ok(maxRelError(ours[k], want) < 1e-5, `${k}: ${maxRelError(ours[k], want)}`);
  });
});

/**
 * Computes the gradient-flow explorer's results off the page's thread. While a computation runs, newer
 * requests queue up; only the newest of them is computed next, so dragging a slider never builds a
 * backlog.
 */
import { computeGradflow, type GradflowParams, type GradflowResult } from './gradflow-compute.js';
import { workerScope } from './worker-scope.js';

export interface GradflowRequest {
  id: number;
  params: GradflowParams;
}

export type GradflowReply = { id: number; ok: true; result: GradflowResult } | { id: number; ok: false; message: string };

const scope = workerScope<GradflowRequest, GradflowReply>();
let pending: GradflowRequest | null = null;
let scheduled = false;

function run(): void {
  scheduled = false;
  const req = pending;
  pending = null;
  if (req === null) return;
  try {
    scope.postMessage({ id: req.id, ok: true, result: computeGradflow(req.params) });
  } catch (e) {
    scope.postMessage({ id: req.id, ok: false, message: e instanceof Error ? e.message : String(e) });
  }
}

scope.onmessage = (e) => {
  pending = e.data;
  if (!scheduled) {
    scheduled = true;
    setTimeout(run, 0);
  }
};

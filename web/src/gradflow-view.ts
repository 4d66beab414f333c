/**
 * The gradient-flow explorer: reads the controls, asks the worker for a result on every change, and
 * draws the curve with its bounds, the singular values and a short readout of the numbers.
 */
import { type CellKind } from 'rnnlab';
import { DEFAULT_PARAMS, type GradflowParams, type GradflowResult } from './gradflow-compute.js';
import { gradflowChart, plottedCurve, singularValuesChart } from './gradflow-specs.js';
import type { GradflowReply, GradflowRequest } from './gradflow-worker.js';
import { byId, fmt } from './dom.js';
import { showChart } from './plot.js';

function readParams(): GradflowParams {
  const form = byId<HTMLFormElement>('gf-form');
  const num = (id: string) => Number(byId<HTMLInputElement>(id).value);
  const checked = (id: string) => byId<HTMLInputElement>(id).checked;
  const cell = (new FormData(form).get('cell') ?? 'rnn') as CellKind;
  const seqLen = num('gf-T');
  return {
    ...DEFAULT_PARAMS,
    cell,
    seqLen,
    hidden: num('gf-H'),
    weightHh: byId<HTMLSelectElement>('gf-init').value as GradflowParams['weightHh'],
    spectralRadius: checked('gf-rho-on') ? num('gf-rho') : null,
    forgetBias: checked('gf-fb-on') ? num('gf-fb') : null,
    inputScale: num('gf-scale'),
    trials: num('gf-trials'),
    jacobianStep: Math.min(num('gf-jt'), seqLen),
  };
}

/** The slider values next to their labels, and the controls that only apply to some cells. */
function syncControls(): void {
  const set = (id: string, text: string) => { byId<HTMLOutputElement>(`${id}-out`).value = text; };
  const v = (id: string) => byId<HTMLInputElement>(id).value;
  set('gf-T', v('gf-T'));
  set('gf-H', v('gf-H'));
  set('gf-rho', Number(v('gf-rho')).toFixed(2));
  set('gf-fb', Number(v('gf-fb')).toFixed(1));
  set('gf-scale', Number(v('gf-scale')).toFixed(1));
  set('gf-trials', v('gf-trials'));
  const jt = byId<HTMLInputElement>('gf-jt');
  const wasAtEnd = jt.value === jt.max;
  jt.max = v('gf-T');
  if (wasAtEnd || Number(jt.value) > Number(jt.max)) jt.value = jt.max;
  set('gf-jt', jt.value);
  const lstm = new FormData(byId<HTMLFormElement>('gf-form')).get('cell') === 'lstm';
  byId<HTMLFieldSetElement>('gf-forget-set').disabled = !lstm;
}

function readout(r: GradflowResult): string {
  const c = r.report[r.params.cell]!;
  const rho = c.weightHh.spectralRadius, sig = c.weightHh.maxSingularValue;
  const gates = r.params.cell === 'lstm' ? ' (gates i, f, g, o)' : r.params.cell === 'gru' ? ' (gates r, z, n)' : '';
  const rows: [string, string][] = [
    ['decay per step (fitted)', `${fmt(c.decayPerStep)} — a straight line of this slope on the log plot`],
    ['‖∂L/∂h₀‖ / ‖∂L/∂h_T‖', `${fmt(c.initialRatio)} of the gradient reaches the start`],
    ['horizon', c.horizon === null ? 'never below 10⁻³ within T steps' : `${c.horizon} steps back until below 10⁻³`],
    [`ρ(W_hh)${gates}`, rho.map(fmt).join(', ')],
    [`σ_max(W_hh)${gates}`, sig.map(fmt).join(', ')],
  ];
  if (c.bound) {
    rows.push(['A4', c.bound.vanishingGuaranteed ? 'σ_max < 1 in every trial: vanishing is guaranteed'
      : c.bound.explosionPossible ? 'σ_max > 1: growth is possible, not guaranteed (tanh′ < 1 damps it)' : '—']);
    rows.push(['bound holds', `${c.bound.holds ? 'yes' : 'NO'}: the curve never rises above ∏‖diag(1−h²)W_hh‖ (largest ratio ${fmt(r.worstRatio ?? 0)})`]);
  }
  return rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('');
}

export function mountGradflow(): void {
  const worker = new Worker(new URL('./gradflow-worker.ts', import.meta.url), { type: 'module' });
  const status = byId('gf-status');
  let latest = 0, shown = 0;

  const request = (): void => {
    syncControls();
    const req: GradflowRequest = { id: ++latest, params: readParams() };
    status.textContent = 'computing…';
    status.dataset.state = 'busy';
    worker.postMessage(req);
  };

  worker.onmessage = (e: MessageEvent<GradflowReply>) => {
    const reply = e.data;
    if (reply.id < shown) return; // an older request finished after a newer one was drawn
    shown = reply.id;
    if (!reply.ok) {
      status.textContent = `Could not compute: ${reply.message}`;
      status.dataset.state = 'error';
      return;
    }
    const r = reply.result;
    const width = Math.min(720, byId('gf-plot').clientWidth - 40 || 640);
    const curve = plottedCurve(r);
    void Promise.all([
      showChart(byId('gf-plot'), gradflowChart(r, { width, height: 340 }), {
        curve: JSON.stringify(curve),
        bound: JSON.stringify(r.bound),
        params: JSON.stringify(r.params),
      }),
      showChart(byId('gf-sv'), singularValuesChart(r, { width, height: 220 }), { singular: JSON.stringify(r.jacobianSingular) }),
    ]).then(() => {
      if (reply.id !== latest) return;
      status.textContent = `${r.params.cell.toUpperCase()}, T = ${r.params.seqLen}, H = ${r.params.hidden}: computed in ${Math.round(r.ms)} ms`;
      status.dataset.state = 'done';
    });
    byId('gf-readout').innerHTML = readout(r);
  };
  worker.onerror = (e) => {
    status.textContent = `The analysis worker failed: ${e.message}`;
    status.dataset.state = 'error';
  };

  const form = byId<HTMLFormElement>('gf-form');
  form.addEventListener('input', (e) => {
    const t = e.target as HTMLElement;
    // Moving a slider means "use this value": switch its option on.
    if (t.id === 'gf-rho') byId<HTMLInputElement>('gf-rho-on').checked = true;
    if (t.id === 'gf-fb') byId<HTMLInputElement>('gf-fb-on').checked = true;
    request();
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  request();
}

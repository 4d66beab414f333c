/**
 * The training panel: the form, the buttons, and what comes back from the training worker (losses,
 * samples, checkpoints, errors). The page's thread only draws; every model computation is in the worker.
 */
import { lossCurveSpec, type CellKind, type LossPoint } from 'rnnlab';
import { byId, fmt } from './dom.js';
import { showChart } from './plot.js';
import type { FromWorker, SessionInfo, TaskChoice, ToWorker, TrainConfig } from './protocol.js';

/** The loss chart is redrawn at most this often: drawing is the page's only real work. */
const REDRAW_MS = 250;
const MAX_PLOTTED = 2000;

function value(id: string): number {
  return Number(byId<HTMLInputElement>(id).value);
}

function readConfig(): TrainConfig {
  const form = byId<HTMLFormElement>('tr-form');
  const data = new FormData(form);
  const kind = data.get('task');
  let task: TaskChoice;
  if (kind === 'copy') task = { kind: 'copy', delay: value('tr-copy-delay') };
  else if (kind === 'char-lm') {
    task = { kind: 'char-lm', seqLen: value('tr-char-T'), corpus: data.get('corpus') === 'pasted' ? { text: byId<HTMLTextAreaElement>('tr-text').value } : 'moby-dick' };
  } else task = { kind: 'adding', seqLen: value('tr-adding-T') };
  const cell = byId<HTMLSelectElement>('tr-cell').value as CellKind;
  const forget = byId<HTMLInputElement>('tr-forget').value;
  const clip = value('tr-clip'), clipValue = value('tr-clip-value'), window = value('tr-tbptt');
  return {
    task, cell, hidden: value('tr-hidden'), forgetBias: cell === 'lstm' && forget !== '' ? Number(forget) : null,
    lr: value('tr-lr'), batchSize: value('tr-batch'), clipNorm: clip > 0 ? clip : null, evalEvery: Math.max(1, value('tr-eval')), seed: value('tr-seed'),
    // The trainer core's options that the command line has too (the page runs the same steps).
    clipValue: clipValue > 0 ? clipValue : null,
    schedule: byId<HTMLSelectElement>('tr-schedule').value === 'cosine' ? { kind: 'cosine', totalSteps: Math.max(1, value('tr-steps')) } : null,
    tbptt: window > 0 ? { window } : null,
  };
}

export function mountTraining(): void {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  const send = (m: ToWorker, transfer: Transferable[] = []): void => worker.postMessage(m, transfer);
  const status = byId('tr-status'), errorBox = byId('tr-error'), plot = byId('tr-plot');
  const buttons = {
    start: byId<HTMLButtonElement>('tr-start'), stop: byId<HTMLButtonElement>('tr-stop'),
    resume: byId<HTMLButtonElement>('tr-resume'), save: byId<HTMLButtonElement>('tr-save'),
  };
  let info: SessionInfo | null = null;
  let history: LossPoint[] = [];
  let target = 0;
  let lastLine = '';
  let redrawTimer: ReturnType<typeof setTimeout> | null = null;

  const showError = (message: string | null): void => {
    errorBox.hidden = message === null;
    errorBox.textContent = message ?? '';
  };
  const setRunning = (r: boolean): void => {
    status.dataset.state = r ? 'running' : 'idle';
    buttons.stop.disabled = !r;
    buttons.resume.disabled = r || info === null || !info.canTrain;
    buttons.save.disabled = info === null || !info.canTrain;
  };
  const redraw = (): void => {
    redrawTimer = null;
    if (info === null) return;
    if (history.length === 0) {
      // A loaded checkpoint carries no loss history: the chart starts with the first step trained here.
      plot.replaceChildren();
      plot.dataset.losses = '[]';
      return;
    }
    const losses = history.map((h) => h.loss);
    // Past MAX_PLOTTED steps every k-th training loss is drawn (all evaluations are): a line of tens of
    // thousands of points would make each redraw slow, and the page's thread is the one that draws.
    const stride = Math.ceil(history.length / MAX_PLOTTED);
    const shown = stride === 1 ? history : history.filter((h, i) => h.evalLoss !== undefined || i % stride === 0 || i === history.length - 1);
    const spec = lossCurveSpec(shown, {
      title: `Training loss: ${info.task}`,
      subtitle: [
        `${info.model}; Adam, BPTT over the whole sequence${stride > 1 ? `; one step in ${stride} drawn` : ''}`,
        'dashed: the memoryless baseline; dotted: solved below',
      ],
      baseline: info.baseline, solvedBelow: info.solvedBelow, width: Math.min(720, plot.clientWidth - 40 || 640), height: 300,
    });
    void showChart(plot, spec, { losses: JSON.stringify(losses), step: String(info.step) });
  };
  const scheduleRedraw = (): void => {
    redrawTimer ??= setTimeout(redraw, REDRAW_MS);
  };

  worker.onmessage = (e: MessageEvent<FromWorker>) => {
    const m = e.data;
    switch (m.type) {
      case 'ready':
        info = m.info;
        history = [];
        lastLine = '';
        status.dataset.step = String(info.step);
        byId('tr-sample-box').hidden = !info.canSample;
        byId('tr-sample').textContent = '';
        if (m.reason === 'load') {
          showError(null);
          status.textContent = `Loaded ${m.fileName}: ${info.model}, ${info.task}, at step ${info.step}. ` +
            (info.note ?? 'Resume continues training it; Download saves it again.');
          status.dataset.loaded = m.fileName ?? '';
          target = info.step;
          setRunning(false);
        } else {
          setRunning(true);
          status.textContent = `Training ${info.model} on the ${info.task}…`;
        }
        redraw();
        return;
      case 'progress': {
        history.push(...m.points);
        if (info) info.step = m.step;
        const last = m.points[m.points.length - 1];
        const ev = [...m.points].reverse().find((p) => p.evalLoss !== undefined);
        if (ev) lastLine = `held-out loss ${fmt(ev.evalLoss!)}${m.evalMetric !== undefined ? `, ${info?.metricName ?? 'metric'} ${fmt(m.evalMetric)}` : ''}`;
        status.textContent = `step ${m.step} / ${target} · loss ${last ? fmt(last.loss) : '—'} · ${Math.round(m.stepsPerSecond)} steps/s on ${m.threads} thread${m.threads === 1 ? '' : 's'}${lastLine ? ` · ${lastLine}` : ''}`;
        status.dataset.step = String(m.step);
        status.dataset.backend = m.backend;
        status.dataset.threads = String(m.threads);
        status.dataset.stepMs = String(m.stepMs);
        scheduleRedraw();
        return;
      }
      case 'stopped':
        setRunning(false);
        status.textContent = `${m.reason === 'done' ? 'Done' : 'Stopped'} at step ${m.step}${lastLine ? ` · ${lastLine}` : ''}. ${m.reason === 'done' ? 'Raise “steps” and Resume to train on.' : 'Resume continues from here.'}`;
        status.dataset.step = String(m.step);
        redraw();
        return;
      case 'sample':
        byId('tr-sample').textContent = `${m.auto ? `(step ${info?.step ?? ''}) ` : ''}${m.prime}${m.text}`;
        return;
      case 'checkpoint': {
        const url = URL.createObjectURL(new Blob([m.bytes], { type: 'application/x-tar' }));
        const a = document.createElement('a');
        a.href = url;
        a.download = m.fileName;
        a.click();
        setTimeout(() => URL.revokeObjectURL(url), 60_000);
        return;
      }
      case 'error':
        showError(m.during === 'load' ? `Could not load the checkpoint. ${m.message}` : `Could not ${m.during}: ${m.message}`);
        if (m.during === 'start') setRunning(false);
        return;
    }
  };
  worker.onerror = (e) => {
    showError(`The training worker failed: ${e.message}`);
    setRunning(false);
  };

  buttons.start.addEventListener('click', () => {
    showError(null);
    const config = readConfig();
    target = value('tr-steps');
    status.textContent = config.task.kind === 'char-lm' && config.task.corpus === 'moby-dick' ? 'Loading Moby-Dick…' : 'Starting…';
    setRunning(true);
    send({ type: 'start', config, steps: target });
  });
  buttons.stop.addEventListener('click', () => send({ type: 'stop' }));
  buttons.resume.addEventListener('click', () => {
    showError(null);
    const step = info?.step ?? 0;
    target = target > step ? target : step + value('tr-steps');
    setRunning(true);
    send({ type: 'resume', until: target, config: readConfig() });
  });
  buttons.save.addEventListener('click', () => send({ type: 'save' }));
  byId<HTMLInputElement>('tr-load').addEventListener('change', async (e) => {
    const input = e.target as HTMLInputElement;
    const files = Array.from(input.files ?? []);
    input.value = ''; // the same file can be picked again
    if (files.length === 0) return;
    const payload = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })));
    send({ type: 'load', files: payload, config: readConfig() }, payload.map((p) => p.bytes));
  });
  byId<HTMLButtonElement>('tr-sample-go').addEventListener('click', () => {
    send({ type: 'sample', prime: byId<HTMLInputElement>('tr-prime').value, temperature: value('tr-temp'), length: 300 });
  });
  byId<HTMLInputElement>('tr-temp').addEventListener('input', () => {
    byId<HTMLOutputElement>('tr-temp-out').value = byId<HTMLInputElement>('tr-temp').value;
  });
  // Only the chosen task's options are shown.
  byId<HTMLFormElement>('tr-form').addEventListener('change', () => {
    const kind = new FormData(byId<HTMLFormElement>('tr-form')).get('task');
    document.querySelectorAll<HTMLElement>('.task-opts').forEach((el) => { el.hidden = el.dataset.task !== kind; });
  });
}

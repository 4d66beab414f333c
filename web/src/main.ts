/**
 * The lab's entry: four panels behind tabs. The gradient-flow explorer starts at once; training starts
 * its worker at once too (so the first click trains without delay); the theory is typeset the first
 * time its tab is opened (KaTeX over two long documents takes a moment); the exercises' code (CodeMirror
 * and the workbook) is loaded the first time their tab is opened.
 */
import './style.css';
import { byId } from './dom.js';
import { mountGradflow } from './gradflow-view.js';
import { mountTheory } from './theory-view.js';
import { mountTraining } from './train-view.js';

const TABS = ['gradflow', 'train', 'theory', 'exercises'] as const;
type Tab = (typeof TABS)[number];

function show(tab: Tab): void {
  for (const t of TABS) {
    byId(`tab-${t}`).setAttribute('aria-selected', String(t === tab));
    byId(`panel-${t}`).hidden = t !== tab;
  }
  if (tab === 'theory') mountTheory();
  if (tab === 'exercises') mountExercisesLazily();
  if (location.hash !== `#${tab}`) history.replaceState(null, '', `#${tab}`);
}

/** Loaded once, on first use. */
let exercises: Promise<void> | null = null;

function mountExercisesLazily(): void {
  exercises ??= import('./exercises-view.js').then((m) => m.mountExercises()).catch((e: unknown) => {
    const status = byId('ex-status');
    status.textContent = `The exercises could not be loaded: ${e instanceof Error ? e.message : String(e)}`;
    status.dataset.state = 'error';
  });
}

for (const t of TABS) byId(`tab-${t}`).addEventListener('click', () => show(t));
mountGradflow();
mountTraining();
const initial = location.hash.slice(1);
show((TABS as readonly string[]).includes(initial) ? (initial as Tab) : 'gradflow');

/**
 * The Exercises tab's editors, CodeMirror 6 with TypeScript highlighting: one the learner writes in,
 * with one editor state per workbook file (switching exercises keeps each file's undo history, and Reset
 * is one more edit that Ctrl+Z takes back), and a read-only one for rnnlab's solution.
 */
import { javascript } from '@codemirror/lang-javascript';
import { EditorState, type Extension } from '@codemirror/state';
import { basicSetup, EditorView } from 'codemirror';

function common(label: string): Extension[] {
  return [
    basicSetup,
    javascript({ typescript: true }),
    EditorView.contentAttributes.of({ 'aria-label': label }),
  ];
}

/** The learner's editor: shows one file at a time and reports every change of it. */
export class WorkbookEditor {
  readonly view: EditorView;
  private readonly states = new Map<string, EditorState>();
  private current = '';

  constructor(parent: HTMLElement, private readonly onChange: (file: string, text: string) => void) {
    this.view = new EditorView({ parent });
  }

  /** Shows `file`; its text is `initial` the first time, after that what it was left at. */
  open(file: string, initial: string): void {
    if (this.current) this.states.set(this.current, this.view.state);
    this.current = file;
    const saved = this.states.get(file);
    this.view.setState(saved ?? EditorState.create({
      doc: initial,
      extensions: [
        ...common(`your code: ${file}`),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) this.onChange(file, u.state.doc.toString());
        }),
      ],
    }));
  }

  get text(): string {
    return this.view.state.doc.toString();
  }

  /** Replaces the whole text as one undoable edit. */
  replace(text: string): void {
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text } });
  }
}

/** A read-only view of a text (rnnlab's solution): selectable and copyable, not editable. */
export class ReadOnlyCode {
  readonly view: EditorView;

  constructor(parent: HTMLElement, label: string) {
    this.view = new EditorView({ parent, state: ReadOnlyCode.state('', label) });
  }

  private static state(text: string, label: string): EditorState {
    return EditorState.create({ doc: text, extensions: [...common(label), EditorState.readOnly.of(true), EditorView.editable.of(false)] });
  }

  show(text: string, label: string): void {
    this.view.setState(ReadOnlyCode.state(text, label));
  }
}

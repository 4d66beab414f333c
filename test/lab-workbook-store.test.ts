/**
 * Where the Exercises tab keeps the learner's code (web/src/workbook-store.ts): one storage key per file,
 * nothing stored for an untouched file, every file handed to the grader, and a storage that refuses a
 * write reported while the code is kept for the visit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkbookExercise } from '../web/src/workbook-files.js';
import { WorkbookStore, type TextStorage } from '../web/src/workbook-store.js';

function exercise(id: 'B1' | 'B2', file: string): WorkbookExercise {
  return { id, file, level: 'Easy', title: id, quote: '', stub: `// stub of ${file}`, solution: `// solution of ${file}` };
}
const b1 = exercise('B1', 'b1-rnn-cell.ts'), b2 = exercise('B2', 'b2-rnn.ts');

function memory(): TextStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return { items, getItem: (k) => items.get(k) ?? null, setItem: (k, v) => { items.set(k, v); }, removeItem: (k) => { items.delete(k); } };
}

describe('the workbook store', () => {
  it('keeps an edited file under rnnlab.exercises.<file>, where a later visit finds it', () => {
    const storage = memory();
    new WorkbookStore(storage).save(b1, 'my code');
    assert.deepEqual([...storage.items], [['rnnlab.exercises.b1-rnn-cell.ts', 'my code']]);
    assert.equal(new WorkbookStore(storage).code(b1), 'my code');
  });

  it('stores nothing for a file put back to its stub', () => {
    const storage = memory();
    const store = new WorkbookStore(storage);
    store.save(b1, 'my code');
    store.save(b1, b1.stub);
    assert.equal(storage.items.size, 0);
    assert.equal(store.code(b1), b1.stub);
  });

  it('gives the grader every file: the learner\'s where edited, else the stub', () => {
    const store = new WorkbookStore(memory());
    store.save(b2, 'my B2');
    assert.deepEqual(store.sources([b1, b2]), { 'b1-rnn-cell.ts': b1.stub, 'b2-rnn.ts': 'my B2' });
  });

  it('reports a storage that refuses the write, and keeps the code for this visit', () => {
    const full: TextStorage = { getItem: () => null, setItem: () => { throw new Error('QuotaExceededError'); }, removeItem: () => {} };
    const store = new WorkbookStore(full);
    store.save(b1, 'my code');
    assert.match(store.problem ?? '', /could not be saved.*QuotaExceededError/);
    assert.equal(store.code(b1), 'my code');
  });

  it('without storage, says the code is not kept', () => {
    assert.match(new WorkbookStore(null).problem ?? '', /not kept/);
  });
});

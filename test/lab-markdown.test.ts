/**
 * The theory pages' Markdown with math (web/src/markdown-math.ts): every formula of docs/theory.md and
 * docs/concepts.md typesets with KaTeX (strictly: any error fails, naming the formula), dollar signs in
 * prose and code stay text, and the repository-only links and figure are handled.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import katex from 'katex';
import { createMarkdown } from '../web/src/markdown-math.js';

function collect(): { md: ReturnType<typeof createMarkdown>; seen: { tex: string; display: boolean }[] } {
  const seen: { tex: string; display: boolean }[] = [];
  const md = createMarkdown((tex, display) => {
    seen.push({ tex, display });
    try {
      return katex.renderToString(tex, { displayMode: display, throwOnError: true, strict: 'error' });
    } catch (e) {
      throw new Error(`KaTeX cannot typeset ${JSON.stringify(tex)}: ${(e as Error).message}`);
    }
  });
  return { md, seen };
}

describe('the theory pages', () => {
  for (const doc of ['theory', 'concepts']) {
    it(`docs/${doc}.md renders, every formula typeset by KaTeX`, () => {
      const { md, seen } = collect();
      const html = md.render(readFileSync(new URL(`../docs/${doc}.md`, import.meta.url), 'utf8'));
      if (doc === 'theory') {
        assert.ok(seen.filter((s) => s.display).length >= 15 && seen.length > 150, `${seen.length} formulas`);
        assert.match(html, /<figure class="unrolled" data-cell="rnn" data-steps="4"/);
        assert.match(html, /<span class="doc-ref" title="docs\/cells\.md in the repository">cells\.md<\/span>/);
      }
      assert.doesNotMatch(html, /\$\$/, 'no display math left unparsed');
      assert.ok(html.includes('<table>'), 'tables render');
    });
  }

  it('treats $ as math only where pandoc would', () => {
    const { md, seen } = collect();
    md.render('It costs $5 and $6 today. `echo $HOME` and \\$x\\$ stay text; $a_{t}$ and $$b$$ do not.\n\n$$\nc = d\n$$\n');
    assert.deepEqual(seen, [{ tex: 'a_{t}', display: false }, { tex: 'b', display: true }, { tex: 'c = d', display: true }]);
  });

  it('takes display math inside list items and opens external links in a new tab', () => {
    const { md, seen } = collect();
    const html = md.render('- item:\n\n  $$\n  x^2\n  $$\n\n- [KaTeX](https://katex.org)\n');
    assert.deepEqual(seen.map((s) => s.tex), ['x^2']);
    assert.match(html, /<a href="https:\/\/katex\.org" target="_blank" rel="noopener noreferrer">KaTeX<\/a>/);
  });
});

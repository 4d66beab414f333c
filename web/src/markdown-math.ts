/**
 * The docs' Markdown with TeX math, as the theory pages show it: markdown-it for the Markdown (GFM
 * tables included), and a small plugin for the math, `$…$` inline and `$$ … $$` on lines of their own,
 * handed to a renderer (KaTeX in the page; a strict one in test/lab-markdown.test.ts, which renders
 * every formula of docs/theory.md and docs/concepts.md and fails on any KaTeX cannot typeset).
 *
 * Inline `$` follows pandoc's rule, so prose with dollar signs stays prose: the opening `$` is followed
 * by a non-space, the closing one preceded by a non-space and not followed by a digit; and inline math
 * never runs into a code span.
 *
 * Links to other docs of the repository become plain text (the page has only these two), and the image
 * of the unrolled graph becomes a placeholder that the theory view draws live.
 */
import MarkdownIt from 'markdown-it';
import type { MarkdownIt as Markdown, StateBlock, StateInline, Token } from 'markdown-it';

export type MathRenderer = (tex: string, display: boolean) => string;

const DOLLAR = 0x24;

function mathInline(state: StateInline, silent: boolean): boolean {
  const src = state.src, start = state.pos;
  if (src.charCodeAt(start) !== DOLLAR) return false;
  const display = src.charCodeAt(start + 1) === DOLLAR;
  const open = display ? 2 : 1;
  const first = src[start + open];
  if (first === undefined || /\s/.test(first) || first === '$') return false;
  let end = -1;
  for (let i = start + open; i < state.posMax; i++) {
    const ch = src[i];
    if (ch === '\\') { i++; continue; }
    if (ch === '`') break; // math never spans into a code span
    if (ch !== '$') continue;
    if (display) {
      if (src[i + 1] === '$') { end = i; break; }
      continue;
    }
    if (!/\s/.test(src[i - 1]) && !/[0-9]/.test(src[i + 1] ?? '')) { end = i; break; }
  }
  if (end < 0) return false;
  if (!silent) {
    const token = state.push(display ? 'math_display_inline' : 'math_inline', 'math', 0);
    token.content = src.slice(start + open, end);
    token.markup = display ? '$$' : '$';
  }
  state.pos = end + open;
  return true;
}

function mathBlock(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  const lineText = (line: number): string => state.src.slice(state.bMarks[line] + state.tShift[line], state.eMarks[line]);
  const firstLine = lineText(startLine);
  if (!firstLine.startsWith('$$')) return false;
  if (state.sCount[startLine] - state.blkIndent >= 4) return false; // an indented code block
  let content: string;
  let last = startLine;
  const rest = firstLine.slice(2);
  if (rest.trimEnd().endsWith('$$') && rest.trim().length >= 2) {
    content = rest.trimEnd().slice(0, -2);
  } else {
    const lines = [rest];
    let found = false;
    for (let line = startLine + 1; line < endLine; line++) {
      const text = lineText(line);
      if (state.sCount[line] < state.blkIndent && text !== '') break; // left the enclosing list item
      if (text.trimEnd().endsWith('$$')) {
        lines.push(text.trimEnd().slice(0, -2));
        last = line;
        found = true;
        break;
      }
      lines.push(text);
    }
    if (!found) return false;
    content = lines.join('\n');
  }
  if (silent) return true;
  const token = state.push('math_block', 'math', 0);
  token.block = true;
  token.content = content.trim();
  token.markup = '$$';
  token.map = [startLine, last + 1];
  state.line = last + 1;
  return true;
}

const UNROLLED_IMAGE = /(?:^|\/)unrolled-(rnn|lstm|gru)-T(\d+)(?:-no-output)?\.svg$/;

export function createMarkdown(render: MathRenderer): Markdown {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
  md.inline.ruler.after('escape', 'math_inline', mathInline);
  md.block.ruler.before('paragraph', 'math_block', mathBlock, { alt: ['paragraph', 'reference', 'blockquote', 'list'] });
  md.renderer.rules.math_inline = (tokens: Token[], i: number) => render(tokens[i].content, false);
  md.renderer.rules.math_display_inline = (tokens: Token[], i: number) => render(tokens[i].content, true);
  md.renderer.rules.math_block = (tokens: Token[], i: number) => `<div class="math-display">${render(tokens[i].content, true)}</div>\n`;

  md.renderer.rules.image = (tokens: Token[], i: number) => {
    const t = tokens[i];
    const m = UNROLLED_IMAGE.exec(String(t.attrGet('src') ?? ''));
    const alt = md.utils.escapeHtml(t.content);
    if (m) return `<figure class="unrolled" data-cell="${m[1]}" data-steps="${m[2]}" aria-label="${alt}"></figure>`;
    return `<span class="missing-image">[figure: ${alt}]</span>`;
  };

  // Links within the repository's docs have no page here: their text stays, marked, without the link.
  const plain = new WeakSet<Token>();
  md.renderer.rules.link_open = (tokens: Token[], i: number, options, env, self) => {
    const t = tokens[i];
    const href = String(t.attrGet('href') ?? '');
    if (!/^[a-z]+:/i.test(href) && !href.startsWith('#')) {
      let depth = 0;
      for (let j = i; j < tokens.length; j++) {
        if (tokens[j].type === 'link_open') depth++;
        if (tokens[j].type === 'link_close' && --depth === 0) { plain.add(tokens[j]); break; }
      }
      return `<span class="doc-ref" title="${md.utils.escapeHtml(`docs/${href} in the repository`)}">`;
    }
    t.attrSet('target', '_blank');
    t.attrSet('rel', 'noopener noreferrer');
    return self.renderToken(tokens, i, options);
  };
  md.renderer.rules.link_close = (tokens: Token[], i: number, options, env, self) =>
    plain.has(tokens[i]) ? '</span>' : self.renderToken(tokens, i, options);
  return md;
}

/**
 * Highlighted excerpts. Matching happens on the folded text (where the query
 * lives); what is shown is the article's own text, Traditional as published,
 * whenever folding kept its length — OpenCC's conversions are almost always
 * one character for one — so positions carry over. Otherwise the folded text
 * is shown. The result is HTML-escaped text with matches in <mark>.
 */
import { escapeHtml } from '../../shared/kb';

export interface SnippetOptions {
  /** Characters of context around the best window. */
  width?: number;
}

interface Match {
  start: number;
  end: number;
  term: number;
}

function findMatches(folded: string, terms: readonly string[], cap = 400): Match[] {
  const out: Match[] = [];
  terms.forEach((t, term) => {
    if (!t) return;
    let from = 0;
    while (out.length < cap) {
      const at = folded.indexOf(t, from);
      if (at < 0) break;
      out.push({ start: at, end: at + t.length, term });
      from = at + t.length;
    }
  });
  out.sort((a, b) => a.start - b.start || b.end - a.end);
  // Drop matches overlapping an earlier (longer) one.
  const kept: Match[] = [];
  for (const m of out) if (!kept.length || m.start >= kept.at(-1)!.end) kept.push(m);
  return kept;
}

function render(shown: string, from: number, to: number, matches: readonly Match[]): string {
  let html = '';
  let at = from;
  for (const m of matches) {
    if (m.end <= from || m.start >= to) continue;
    const s = Math.max(m.start, from);
    const e = Math.min(m.end, to);
    html += escapeHtml(shown.slice(at, s)) + '<mark>' + escapeHtml(shown.slice(s, e)) + '</mark>';
    at = e;
  }
  return html + escapeHtml(shown.slice(at, to));
}

/**
 * The text to show for `folded`: the original where folding kept the
 * length, line by line, so one converted phrase of another length only
 * costs its own line.
 */
function shownText(original: string, folded: string): string {
  if (original.length === folded.length) return original;
  const o = original.split('\n');
  const f = folded.split('\n');
  if (o.length !== f.length) return folded;
  return f.map((line, k) => (o[k]!.length === line.length ? o[k]! : line)).join('\n');
}

/** Whole text with every match marked (titles). */
export function highlightAll(original: string, folded: string, terms: readonly string[]): string {
  const shown = shownText(original, folded);
  return render(shown, 0, shown.length, findMatches(folded, terms));
}

/** The window of the text that covers the most distinct terms, marked. */
export function snippet(original: string, folded: string, terms: readonly string[], opts: SnippetOptions = {}): string {
  const width = opts.width ?? 90;
  const shown = shownText(original, folded).replace(/\s+/g, ' ');
  const foldedFlat = folded.replace(/\s+/g, ' ');
  const matches = findMatches(foldedFlat, terms);
  if (!matches.length) return escapeHtml(shown.slice(0, width)) + (shown.length > width ? '…' : '');
  let best = { start: 0, distinct: -1, count: 0 };
  for (let i = 0; i < matches.length; i++) {
    const start = Math.max(0, matches[i]!.start - 12);
    const seen = new Set<number>();
    let count = 0;
    for (let k = i; k < matches.length && matches[k]!.end <= start + width; k++) {
      seen.add(matches[k]!.term);
      count++;
    }
    if (seen.size > best.distinct || (seen.size === best.distinct && count > best.count)) best = { start, distinct: seen.size, count };
  }
  // Start at a sentence boundary when one is near.
  let start = best.start;
  const boundary = Math.max(shown.lastIndexOf('。', start + 12), shown.lastIndexOf('\n', start + 12));
  if (boundary >= 0 && best.start - boundary < 20 && boundary < matches.find((m) => m.start >= best.start)!.start) start = boundary + 1;
  const end = Math.min(shown.length, start + width);
  return (start > 0 ? '…' : '') + render(shown, start, end, matches) + (end < shown.length ? '…' : '');
}

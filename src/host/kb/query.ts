/**
 * Turning what an operator typed into an FTS5 MATCH expression.
 *
 * User text is never passed as FTS5 syntax: it is folded, segmented into
 * tokens made only of letters and digits, and every token is put in double
 * quotes by us. `"`, `*`, `AND`, `NEAR(`, `(`, `-` typed by a user are either
 * dropped as punctuation or searched as plain words.
 *
 * A query becomes a list of term groups. A group is one thing the caller
 * asked about, with its alternatives: the word itself, its synonyms, and for
 * Latin letters the pinyin initials column (gjj → 公积金). Groups are weighted
 * by rarity (idf) so that a long spoken question is ranked by how much of it
 * an article covers, not by whichever word repeats most.
 */
import { QUERY_STOPWORDS } from '../../shared/kb';
import { isAsciiWord, isHan } from './text';

export interface Alternative {
  tokens: string[];
  /** Restrict to the pinyin-initials column. */
  initials?: boolean;
  /** The last token is a prefix (type-ahead). */
  prefix?: boolean;
  /** Folded text to look for in an article (coverage, highlighting). */
  text: string;
}

export interface TermGroup {
  alternatives: Alternative[];
  /** Documents containing any alternative (upper bound); filled by the caller. */
  df: number;
  weight: number;
  /** How many times the group occurs in the query (long free text). */
  occurrences: number;
}

export interface SynonymIndex {
  /** folded term → all folded terms of its groups (itself included) */
  alternativesOf: Map<string, string[]>;
  longest: number;
}

export function quoteToken(t: string): string {
  return `"${t.replace(/"/g, '""')}"`;
}

export function alternativeExpression(a: Alternative): string {
  const phrase = a.tokens.length === 1 ? quoteToken(a.tokens[0]!) : `"${a.tokens.map((t) => t.replace(/"/g, '""')).join(' ')}"`;
  const p = a.prefix ? `${phrase}*` : phrase;
  return a.initials ? `initials : ${p}` : p;
}

export function groupExpression(g: TermGroup): string {
  const alts = g.alternatives.map(alternativeExpression);
  return alts.length === 1 ? alts[0]! : `(${alts.join(' OR ')})`;
}

/**
 * Split folded query text into runs, cutting out any synonym term it
 * contains (longest first), so 家里没水了 yields the group 停水/断水/没水 even
 * though jieba would cut 没 / 水.
 */
function splitOnSynonyms(folded: string, syn: SynonymIndex): Array<{ text: string; synonyms?: string[] }> {
  const out: Array<{ text: string; synonyms?: string[] }> = [];
  let plain = '';
  let i = 0;
  while (i < folded.length) {
    let hit: string | undefined;
    for (let len = Math.min(syn.longest, folded.length - i); len >= 2; len--) {
      const cand = folded.slice(i, i + len);
      if (syn.alternativesOf.has(cand)) {
        hit = cand;
        break;
      }
    }
    if (hit) {
      if (plain) out.push({ text: plain });
      plain = '';
      out.push({ text: hit, synonyms: syn.alternativesOf.get(hit)! });
      i += hit.length;
    } else {
      plain += folded[i];
      i++;
    }
  }
  if (plain) out.push({ text: plain });
  return out;
}

export interface PlanOptions {
  /** Treat the end of the text as an unfinished word (type-ahead). */
  prefixLast?: boolean;
}

/**
 * Term groups of a folded query. `cut` segments text (the query segmenter).
 * Stop words are dropped; consecutive single Han characters (a word jieba did
 * not know, 复 / 康) are kept together as one phrase.
 */
export function planGroups(folded: string, syn: SynonymIndex, cut: (s: string) => string[], opts: PlanOptions = {}): TermGroup[] {
  const groups = new Map<string, TermGroup>();
  const add = (key: string, alternatives: Alternative[]) => {
    const g = groups.get(key);
    if (g) g.occurrences++;
    else groups.set(key, { alternatives, df: 0, weight: 0, occurrences: 1 });
  };
  const pieces = splitOnSynonyms(folded, syn);
  // A synonym cut out of the query must not end a type-ahead prefix early; only the trailing plain run is a prefix.
  pieces.forEach((piece, pieceIndex) => {
    const lastPiece = pieceIndex === pieces.length - 1;
    if (piece.synonyms) {
      const alts = piece.synonyms
        .map((t) => ({ tokens: cut(t), text: t }))
        .filter((a) => a.tokens.length > 0);
      if (alts.length) add(`syn:${[...piece.synonyms].sort().join('|')}`, alts);
      return;
    }
    const tokens = cut(piece.text);
    let run: string[] = [];
    const flushRun = (isLast: boolean) => {
      if (!run.length) return;
      const text = run.join('');
      const alts: Alternative[] = [{ tokens: run, text }];
      if (isLast && opts.prefixLast) {
        alts[0]!.prefix = true;
        if (run.length > 1) alts.push({ tokens: [text], text, prefix: true });
      }
      add(`w:${text}`, alts);
      run = [];
    };
    tokens.forEach((tok, k) => {
      const isLastToken = lastPiece && k === tokens.length - 1;
      if (QUERY_STOPWORDS.has(tok) && !(isLastToken && opts.prefixLast)) {
        flushRun(false);
        return;
      }
      if (isHan(tok) && tok.length === 1) {
        run.push(tok);
        if (isLastToken) flushRun(true);
        return;
      }
      flushRun(false);
      const alts: Alternative[] = [{ tokens: [tok], text: tok, prefix: isLastToken && opts.prefixLast }];
      if (isAsciiWord(tok) && /^[a-z]{2,12}$/.test(tok)) {
        alts.push({ tokens: [tok], text: tok, initials: true, prefix: isLastToken && opts.prefixLast });
      }
      add(`w:${tok}`, alts);
    });
    flushRun(lastPiece);
  });
  return [...groups.values()];
}

/** Robertson–Spärck Jones idf, never negative. */
export function idf(df: number, n: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

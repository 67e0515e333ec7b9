/**
 * Text folding and word segmentation, shared by indexing and querying so
 * both sides meet on the same tokens.
 *
 * Folding: NFKC (full-width letters and digits to ASCII), lower case, then
 * OpenCC's phrase-level Taiwan → mainland conversion (twp → cn), so 計程車
 * becomes 出租车 and 網路 becomes 网络 rather than a character-by-character
 * 计程车 / 网路. A Simplified query and a Traditional article meet there.
 *
 * Segmentation: jieba without HMM, in search mode for the index (a long word
 * also yields its dictionary sub-words: 台北市 → 台北, 北市, 台北市). Loading
 * jieba's full 350k-word dictionary takes ~200 ms, too slow for opening the
 * console, so queries are segmented by a second jieba whose dictionary is the
 * index's own vocabulary (the `kb_lexicon` table, with the full dictionary's
 * frequencies): a query can only ever match words that are in the index.
 */
import OpenCC from 'opencc-js';
import { Jieba } from '@node-rs/jieba';
import { dict as jiebaDict } from '@node-rs/jieba/dict';
import { pinyin } from 'pinyin-pro';

let toMainland: ((s: string) => string) | undefined;

/** Fold Traditional/Taiwan text and full-width forms to one searchable Simplified form. */
export function fold(text: string): string {
  toMainland ??= OpenCC.Converter({ from: 'twp', to: 'cn' });
  return toMainland(text.normalize('NFKC').toLowerCase());
}

/** Characters that never form part of a token (punctuation, symbols, spaces, emoji). */
const NON_WORD = /[^\p{L}\p{N}]+/u;
const HAN = /\p{Script=Han}/u;
const ASCII_WORD = /^[a-z0-9][a-z0-9._-]*$/;

function cleanTokens(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of raw) {
    // jieba keeps "hello-world" style runs whole only sometimes; split on anything non-word.
    for (const piece of t.split(NON_WORD)) if (piece) out.push(piece);
  }
  return out;
}

let indexJieba: Jieba | undefined;
let dictFreq: Map<string, number> | undefined;

function fullJieba(): Jieba {
  indexJieba ??= Jieba.withDict(jiebaDict);
  return indexJieba;
}

/** Frequency of a word in jieba's full dictionary, or undefined if it is not there. */
export function dictionaryFrequency(word: string): number | undefined {
  if (!dictFreq) {
    dictFreq = new Map();
    for (const line of Buffer.from(jiebaDict).toString('utf8').split('\n')) {
      const [w, f] = line.split(' ');
      if (w && f) dictFreq.set(w, Number(f));
    }
  }
  return dictFreq.get(word);
}

/** Tokens of already-folded text for the index (jieba search mode). */
export function segmentForIndex(folded: string): string[] {
  if (!folded) return [];
  return cleanTokens(fullJieba().cutForSearch(folded, false));
}

/** Tokens of already-folded text in plain mode: the words as they follow each other. */
export function segmentWords(folded: string): string[] {
  if (!folded) return [];
  return cleanTokens(fullJieba().cut(folded, false));
}

/**
 * Segments queries with a dictionary made of the index's vocabulary.
 * Rebuilt when the vocabulary changes (after an import).
 */
export class QuerySegmenter {
  private jieba: Jieba | undefined;
  constructor(private readonly words: () => Iterable<[string, number]>) {}

  invalidate(): void {
    this.jieba = undefined;
  }

  cut(folded: string): string[] {
    if (!folded) return [];
    if (!this.jieba) {
      const lines: string[] = [];
      for (const [w, f] of this.words()) lines.push(`${w} ${f}`);
      this.jieba = new Jieba();
      if (lines.length) this.jieba.loadDict(Buffer.from(lines.join('\n') + '\n'));
    }
    return cleanTokens(this.jieba.cut(folded, false));
  }
}

export function isHan(token: string): boolean {
  return HAN.test(token);
}

export function isAsciiWord(token: string): boolean {
  return ASCII_WORD.test(token);
}

const initialsMemo = new Map<string, string>();
const INITIALS_MEMO_MAX = 100_000;

/**
 * First letters of the pinyin of a Han word: 复康巴士 → fkbs. Empty if it has
 * non-Han characters. Remembered per word: titles share their words, and
 * pinyin-pro took a tenth of the time of indexing an article.
 */
export function initialsOf(word: string): string {
  let out = initialsMemo.get(word);
  if (out !== undefined) return out;
  out = word && /^\p{Script=Han}+$/u.test(word) ? (pinyin(word, { pattern: 'first', toneType: 'none', type: 'array' }) as string[]).join('').toLowerCase() : '';
  if (initialsMemo.size >= INITIALS_MEMO_MAX) initialsMemo.clear();
  initialsMemo.set(word, out);
  return out;
}

/**
 * Pinyin-initial tokens for a title or a keyword: each word of two or more
 * characters, and each run of two to four consecutive words (复/康/巴士 →
 * fk, kbs, fkbs), because people abbreviate whole terms, not single words.
 */
export function initialsTokens(words: readonly string[]): string[] {
  const out = new Set<string>();
  const ini = words.map((w) => initialsOf(w));
  for (let i = 0; i < words.length; i++) {
    if (!ini[i]) continue;
    if (words[i]!.length >= 2) out.add(ini[i]!);
    let acc = ini[i]!;
    for (let n = 2; n <= 4 && i + n - 1 < words.length; n++) {
      const next = ini[i + n - 1];
      if (!next) break;
      acc += next;
      if (acc.length >= 2 && acc.length <= 12) out.add(acc);
    }
  }
  return [...out];
}

/**
 * Character bigrams of each run of Han characters (a lone character stays
 * itself): 同性伴侣 → 同性 性伴 伴侣. A phrase of them finds a title holding
 * a half-typed word wherever jieba put the word boundaries.
 */
export function hanBigrams(folded: string): string[] {
  const out: string[] = [];
  for (const run of folded.match(/\p{Script=Han}+/gu) ?? []) {
    const chars = [...run];
    if (chars.length === 1) out.push(chars[0]!);
    for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  }
  return out;
}

/**
 * Recall@5 on the Taipei FAQ against the judgements in relevance.json, for
 * the knowledge base and for the baselines it must beat. Shared by the
 * relevance test and the kb benchmark so both report the same figure.
 */
import { readFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { fold, type KnowledgeBase } from '../../../src/host/kb/index';

export interface Judgement {
  query: string;
  kind: 'short' | 'phrase' | 'question' | 'pinyin' | 'mainland';
  relevant: string[];
  why: string;
}

export const judgements: Judgement[] = (
  JSON.parse(readFileSync(new URL('./relevance.json', import.meta.url), 'utf8')) as { queries: Judgement[] }
).queries;

export type Ranker = (query: string) => string[];

/** |relevant ∩ top 5| / min(5, |relevant|): 1 when the first five are as good as they can be. */
export function recallAt5(top: readonly string[], relevant: readonly string[]): number {
  const rel = new Set(relevant);
  const hits = top.slice(0, 5).filter((s) => rel.has(s)).length;
  return hits / Math.min(5, rel.size);
}

export interface RecallReport {
  mean: number;
  byKind: Record<string, number>;
  perQuery: Array<{ query: string; kind: string; recall: number; top: string[] }>;
}

export function evaluate(rank: Ranker): RecallReport {
  const perQuery = judgements.map((j) => {
    const top = rank(j.query).slice(0, 5);
    return { query: j.query, kind: j.kind, recall: recallAt5(top, j.relevant), top };
  });
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const byKind: Record<string, number> = {};
  for (const kind of new Set(perQuery.map((p) => p.kind))) byKind[kind] = mean(perQuery.filter((p) => p.kind === kind).map((p) => p.recall));
  return { mean: mean(perQuery.map((p) => p.recall)), byKind, perQuery };
}

export const rankWithKb = (kb: KnowledgeBase): Ranker => (q) => kb.search(q, { limit: 5 }).map((h) => h.sourceId);

const likePattern = (q: string) => '%' + q.replace(/[\\%_]/g, (c) => '\\' + c) + '%';

/** The baseline: `LIKE '%q%'` over title, keywords and answer of the same table, title matches first. */
export const rankWithLike = (db: Database.Database): Ranker => {
  const stmt = db.prepare(
    `SELECT source_id FROM kb_articles
     WHERE status = 'published' AND (title LIKE @q ESCAPE '\\' OR keywords LIKE @q ESCAPE '\\' OR answer_html LIKE @q ESCAPE '\\')
     ORDER BY (title LIKE @q ESCAPE '\\') DESC, id LIMIT 5`,
  ).pluck();
  return (q) => (q.trim() ? (stmt.all({ q: likePattern(q.trim()) }) as string[]) : []);
};

/** A kinder baseline: the same LIKE on the folded (Simplified) columns with a folded query. */
export const rankWithFoldedLike = (db: Database.Database): Ranker => {
  const stmt = db.prepare(
    `SELECT source_id FROM kb_articles
     WHERE status = 'published' AND (title_folded LIKE @q ESCAPE '\\' OR keywords_folded LIKE @q ESCAPE '\\' OR body_folded LIKE @q ESCAPE '\\')
     ORDER BY (title_folded LIKE @q ESCAPE '\\') DESC, id LIMIT 5`,
  ).pluck();
  return (q) => (q.trim() ? (stmt.all({ q: likePattern(fold(q.trim())) }) as string[]) : []);
};

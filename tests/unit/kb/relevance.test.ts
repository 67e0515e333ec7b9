import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Database from 'better-sqlite3';
import type { KnowledgeBase } from '../../../src/host/kb/index';
import { evaluate, judgements, rankWithKb, rankWithLike, rankWithFoldedLike } from './relevance';
import { FAQ_XML, openConsoleDb } from './helpers';

describe('relevance on the Taipei FAQ (recall@5 against judged queries)', () => {
  let db: Database.Database;
  let kb: KnowledgeBase;
  beforeAll(() => {
    ({ db, kb } = openConsoleDb());
    kb.importFile(FAQ_XML);
  }, 60_000);
  afterAll(() => db.close());

  it('has at least 40 judged queries of every kind an operator types', () => {
    expect(judgements.length).toBeGreaterThanOrEqual(40);
    const kinds = new Set(judgements.map((j) => j.kind));
    for (const k of ['short', 'phrase', 'question', 'pinyin', 'mainland']) expect(kinds).toContain(k);
    for (const j of judgements) for (const id of j.relevant) expect(kb.getArticleBySourceId(id), `${j.query}: ${id}`).toBeDefined();
  });

  it("finds the judged articles in the first five far more often than LIKE '%q%'", () => {
    const ours = evaluate(rankWithKb(kb));
    const like = evaluate(rankWithLike(db));
    const likeFolded = evaluate(rankWithFoldedLike(db));
    const fmt = (r: typeof ours) => `${r.mean.toFixed(3)} ${JSON.stringify(Object.fromEntries(Object.entries(r.byKind).map(([k, v]) => [k, +v.toFixed(2)])))}`;
    console.log(`recall@5 kb ${fmt(ours)}\nrecall@5 like ${fmt(like)}\nrecall@5 like (folded) ${fmt(likeFolded)}`);
    for (const p of ours.perQuery) if (p.recall < 1) console.log(`  below 1: ${p.kind} “${p.query}” ${p.recall.toFixed(2)}`);
    expect(ours.mean).toBeGreaterThanOrEqual(0.85);
    expect(like.mean).toBeLessThan(0.5);
    expect(likeFolded.mean).toBeLessThan(0.6);
    for (const kind of Object.keys(ours.byKind)) expect(ours.byKind[kind], kind).toBeGreaterThanOrEqual(0.75);
  });
});

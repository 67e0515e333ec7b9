/**
 * Knowledge-base search: relevance on the real Taipei FAQ, then speed, size
 * and memory on a corpus grown from it (100,000 articles; 10,000 with
 * --quick), side by side in the same run with `LIKE '%q%'` on the same
 * SQLite table and with an in-memory index (minisearch) fed the same folded,
 * jieba-segmented tokens.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import MiniSearch from 'minisearch';
import { openConsoleDb } from '../../src/host/db/open';
import { KnowledgeBase, readArticlesFile, fold, segmentForIndex } from '../../src/host/kb/index';
import { segmentWords, initialsTokens } from '../../src/host/kb/text';
import { QUERY_STOPWORDS, htmlToText, type ArticleFields } from '../../src/shared/kb';
import { FAQ_XML } from '../../tests/unit/kb/helpers';
import { evaluate, rankWithKb, rankWithLike, rankWithFoldedLike, judgements } from '../../tests/unit/kb/relevance';
import { BENCH_DIR, machine, percentile, prng, round, type SuiteContext, type SuiteResult, type Metric } from '../lib';


function paragraphs(a: ArticleFields): string[] {
  return htmlToText(a.answerHtml)
    .split(/\n+/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/**
 * Articles grown from the real ones: each keeps a real article's title,
 * unit and keywords, and its answer is that article's paragraphs with one to
 * three paragraphs of other articles mixed in, so the vocabulary and its
 * distribution stay those of the FAQ.
 */
export function growCorpus(real: ArticleFields[], n: number): ArticleFields[] {
  const rnd = prng(12345);
  const paras = real.map(paragraphs);
  const out: ArticleFields[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % real.length;
    const a = real[k]!;
    if (i < real.length) {
      out.push({ ...a, sourceId: `GROWN_${i}` });
      continue;
    }
    const body = [...paras[k]!];
    const extra = 1 + Math.floor(rnd() * 3);
    for (let e = 0; e < extra; e++) {
      const other = paras[Math.floor(rnd() * real.length)]!;
      if (other.length) body.splice(Math.floor(rnd() * (body.length + 1)), 0, other[Math.floor(rnd() * other.length)]!);
    }
    const b = real[Math.floor(rnd() * real.length)]!;
    out.push({
      ...a,
      sourceId: `GROWN_${i}`,
      title: b.keywords[0] ? `${a.title}（${b.keywords[0]}）` : a.title,
      answerHtml: body.map((p) => `<p>${p.replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'))}</p>`).join(''),
    });
  }
  return out;
}

/** The query mix: the judged queries plus short words, pinyin initials and whole questions drawn from the corpus. */
function queryMix(real: ArticleFields[], db: Database.Database): Array<{ q: string; kind: string }> {
  const rnd = prng(777);
  const mix = judgements.map((j) => ({ q: j.query, kind: j.kind }));
  const words = db
    .prepare(
      `SELECT term FROM kb_fts_terms WHERE length(term) = 2 AND doc BETWEEN 3 AND (SELECT count(*) FROM kb_articles) / 20 ORDER BY doc DESC LIMIT 400`,
    )
    .pluck()
    .all() as string[];
  const han = words.filter((w) => /^\p{Script=Han}+$/u.test(w));
  for (let i = 0; i < 30 && han.length; i++) mix.push({ q: han[Math.floor(rnd() * han.length)]!, kind: 'short' });
  for (let i = 0; i < 20; i++) {
    const a = real[Math.floor(rnd() * real.length)]!;
    const ini = initialsTokens(segmentWords(fold(a.title))).filter((t) => t.length >= 3);
    if (ini.length) mix.push({ q: ini[Math.floor(rnd() * ini.length)]!, kind: 'pinyin' });
  }
  for (let i = 0; i < 20; i++) mix.push({ q: real[Math.floor(rnd() * real.length)]!.title, kind: 'question' });
  return mix;
}

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const v = f();
  return [v, performance.now() - t0];
}

function latencies(queries: readonly string[], rounds: number, run: (q: string) => unknown): number[] {
  for (const q of queries) run(q); // warm-up
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) for (const q of queries) samples.push(time(() => run(q))[1]);
  return samples;
}

const ms = (v: number, note?: string): Metric => ({ value: round(v, 3), unit: 'ms', ...(note ? { note } : {}) });

export default function kbSuite(ctx: SuiteContext): SuiteResult {
  const n = ctx.quick ? 10_000 : 100_000;
  const loadAtStart = round(loadavg()[0]!, 2);
  const dir = mkdtempSync(join(tmpdir(), 'qingyu-kb-bench-'));
  const metrics: Record<string, Metric> = {};
  const log = (s: string) => process.stderr.write(`[kb] ${s}\n`);
  try {
    // ---- relevance on the articles as published
    const real = readArticlesFile(FAQ_XML, 'xml');
    const faqDb = openConsoleDb(join(dir, 'faq.db'));
    const faqKb = new KnowledgeBase(faqDb);
    const [, faqBuild] = time(() => faqKb.importArticles(real));
    const ours = evaluate(rankWithKb(faqKb));
    const like = evaluate(rankWithLike(faqDb));
    const likeFolded = evaluate(rankWithFoldedLike(faqDb));
    metrics['recall_at_5'] = { value: round(ours.mean), unit: 'ratio', note: `${judgements.length} judged queries on the ${real.length} FAQ articles; by kind ${JSON.stringify(Object.fromEntries(Object.entries(ours.byKind).map(([k, v]) => [k, round(v, 2)])))}` };
    metrics['recall_at_5.like'] = { value: round(like.mean), unit: 'ratio', note: "LIKE '%q%' on title, keywords and answer, title matches first" };
    metrics['recall_at_5.like_folded'] = { value: round(likeFolded.mean), unit: 'ratio', note: 'the same LIKE on the folded (Simplified) columns with a folded query' };
    metrics['build.s.faq'] = { value: round(faqBuild / 1000, 2), unit: 's', note: `import of the ${real.length} FAQ articles` };
    const faqQueries = queryMix(real, faqDb).map((m) => m.q);
    const faqSamples = latencies(faqQueries, 5, (q) => faqKb.search(q, { limit: 10 }));
    metrics['search.p95_ms.faq'] = ms(percentile(faqSamples, 95), `${real.length} articles`);
    faqDb.close();
    log(`recall@5 ${round(ours.mean)} vs LIKE ${round(like.mean)}; building ${n} articles…`);

    // ---- the grown corpus
    const grown = growCorpus(real, n);
    const dbPath = join(dir, 'kb.db');
    const db = openConsoleDb(dbPath);
    const kb = new KnowledgeBase(db);
    const [, build] = time(() => kb.importArticles(grown));
    db.pragma('wal_checkpoint(TRUNCATE)');
    metrics['build.s'] = { value: round(build / 1000, 1), unit: 's', note: `import of ${n} articles in one transaction: fold, segment, pinyin, FTS5` };
    metrics['db.mb'] = { value: round(statSync(dbPath).size / 1024 ** 2, 1), unit: 'MB', note: 'articles, folded text and the FTS5 index' };
    log(`built in ${round(build / 1000, 1)} s; measuring search…`);

    const mix = queryMix(real, db);
    const queries = mix.map((m) => m.q);
    const rounds = ctx.quick ? 3 : 5;
    const oursSamples = latencies(queries, rounds, (q) => kb.search(q, { limit: 10 }));
    metrics['search.p50_ms'] = ms(percentile(oursSamples, 50), `${queries.length} queries × ${rounds}: ${kindsOf(mix)}; limit 10 with snippets`);
    metrics['search.p95_ms'] = ms(percentile(oursSamples, 95));
    metrics['search.p99_ms'] = ms(percentile(oursSamples, 99));
    const typeaheadSamples = latencies(
      queries.map((q) => q.slice(0, 3)),
      rounds,
      (q) => kb.typeahead(q, 8),
    );
    metrics['typeahead.p95_ms'] = ms(percentile(typeaheadSamples, 95), 'first three characters of each query');
    const suggestText = real.slice(0, 20).map((a) => htmlToText(a.answerHtml).slice(0, 300));
    const suggestSamples = latencies(suggestText, rounds, (t) => kb.suggest(t, 5));
    metrics['suggest.p95_ms'] = ms(percentile(suggestSamples, 95), 'ticket-description-sized free text (≤300 chars)');

    const likeRank = db
      .prepare(
        `SELECT id FROM kb_articles WHERE status = 'published' AND (title LIKE @q OR keywords LIKE @q OR answer_html LIKE @q)
         ORDER BY (title LIKE @q) DESC, id LIMIT 10`,
      )
      .pluck();
    const likeSamples = latencies(queries, 1, (q) => likeRank.all({ q: `%${q}%` }));
    metrics['search.p50_ms.like'] = ms(percentile(likeSamples, 50), "LIKE '%q%' on the same table, one round");
    metrics['search.p95_ms.like'] = ms(percentile(likeSamples, 95));
    metrics['search.p99_ms.like'] = ms(percentile(likeSamples, 99));
    log('LIKE done; cold open…');

    // ---- cold open in fresh processes
    const child = join(BENCH_DIR, 'suites', 'kb-cold.child.ts');
    const colds: Array<{ totalMs: number; openMs: number; firstQueryMs: number; rssMb: number }> = [];
    for (let i = 0; i < 5; i++) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', child, dbPath, queries[i % queries.length]!, JSON.stringify(queries)], {
        encoding: 'utf8',
      });
      colds.push(JSON.parse(out.trim().split('\n').at(-1)!));
    }
    const med = (xs: number[]) => percentile(xs, 50);
    metrics['open.cold_ms'] = ms(med(colds.map((c) => c.totalMs)), `fresh process: open the file + first search (median of 5; open ${round(med(colds.map((c) => c.openMs)), 1)} ms, first query ${round(med(colds.map((c) => c.firstQueryMs)), 1)} ms; OS page cache warm)`);
    metrics['rss.mb'] = { value: round(med(colds.map((c) => c.rssMb)), 1), unit: 'MB', note: 'resident memory of that process after the whole query mix' };
    db.close();

    // ---- the in-memory index, same tokens
    log('in-memory index…');
    const rssBefore = process.memoryUsage().rss;
    const mini = new MiniSearch<{ id: number; title: string; keywords: string; body: string }>({
      fields: ['title', 'keywords', 'body'],
      storeFields: [],
      tokenize: (s) => s.split(' '),
      processTerm: (t) => t || null,
    });
    const rodb = new Database(dbPath, { readonly: true });
    const [, memBuild] = time(() => {
      const rows = rodb.prepare('SELECT id, title_folded, keywords_folded, body_folded FROM kb_articles').raw().iterate() as IterableIterator<[number, string, string, string]>;
      for (const [id, t, k, b] of rows) {
        mini.add({ id, title: segmentForIndex(t).join(' '), keywords: segmentForIndex(k).join(' '), body: segmentForIndex(b).join(' ') });
      }
    });
    rodb.close();
    const memSearch = (q: string) => {
      const tokens = segmentWords(fold(q)).filter((t) => !QUERY_STOPWORDS.has(t));
      if (!tokens.length) return [];
      return mini.search(tokens.join(' '), { combineWith: 'OR', boost: { title: 10, keywords: 6 } }).slice(0, 10);
    };
    const memSamples = latencies(queries, rounds, memSearch);
    metrics['search.p50_ms.memory'] = ms(percentile(memSamples, 50), 'minisearch, same folding and jieba tokens, OR of the words, no synonyms/initials/snippets');
    metrics['search.p95_ms.memory'] = ms(percentile(memSamples, 95));
    metrics['search.p99_ms.memory'] = ms(percentile(memSamples, 99));
    metrics['build.s.memory'] = { value: round(memBuild / 1000, 1), unit: 's', note: 'segmenting the folded text and adding it to minisearch' };
    metrics['rss.mb.memory'] = { value: round((process.memoryUsage().rss - rssBefore) / 1024 ** 2, 1), unit: 'MB', note: 'growth of this process while building the in-memory index' };
    metrics['speedup.like'] = { value: round(percentile(likeSamples, 95) / percentile(oursSamples, 95), 1), unit: 'x', note: 'p95 LIKE / p95 ours' };
    metrics['ratio.memory'] = { value: round(percentile(oursSamples, 95) / percentile(memSamples, 95), 2), unit: 'x', note: 'p95 ours / p95 in-memory' };
    return {
      suite: 'kb',
      date: new Date().toISOString(),
      machine: machine(),
      params: {
        articles: n,
        faqArticles: real.length,
        queries: queries.length,
        rounds,
        quick: ctx.quick,
        // Other work on a shared machine slows every figure alike; the 1-minute load average says how busy it was.
        loadAverage: { start: loadAtStart, end: round(loadavg()[0]!, 2) },
      },
      metrics,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function kindsOf(mix: Array<{ kind: string }>): string {
  const c: Record<string, number> = {};
  for (const m of mix) c[m.kind] = (c[m.kind] ?? 0) + 1;
  return Object.entries(c)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
}

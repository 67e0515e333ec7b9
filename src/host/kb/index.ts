/**
 * The console's knowledge base: import, search, type-ahead and "related
 * articles" over the KB tables of the console's SQLite file (migration 0002).
 *
 * Start reading at `search`. A query is folded (Traditional → Simplified by
 * OpenCC phrases), segmented with jieba, expanded with synonyms and pinyin
 * initials into term groups (query.ts), and run as one FTS5 MATCH whose bm25
 * weighs the title above the body. The best few hundred candidates are then
 * re-ranked by coverage: the share of the query's rarity-weighted groups an
 * article contains, which is what makes a long spoken question find the
 * article that answers all of it. Everything is synchronous on an open
 * better-sqlite3 handle; the host opens the file and runs the migrations.
 */
import type Database from 'better-sqlite3';
import {
  ArticleInput,
  ArticleStatus,
  SearchOptions,
  SynonymGroup,
  htmlToText,
  type Article,
  type ArticleFields,
  type SearchHit,
  type TypeaheadHit,
} from '../../shared/kb';
import { fold, segmentForIndex, segmentWords, initialsTokens, dictionaryFrequency, QuerySegmenter, isHan, hanBigrams } from './text';
import { planGroups, groupExpression, idf, quoteToken, type TermGroup, type SynonymIndex } from './query';
import { snippet, highlightAll } from './snippet';
import { readArticlesFile, parseArticles, KbImportError, type ImportFormat } from './import';

export { KbImportError, parseArticles, readArticlesFile };

/** A search option or a synonym group the knowledge base cannot accept; the message is for the operator. */
export class KbError extends Error {
  override name = 'KbError';
}
export type { ImportFormat };
export { fold, segmentForIndex } from './text';

/** bm25 column weights: title, keywords, body, pinyin initials, title bigrams. */
const BM25_WEIGHTS = [10, 6, 1, 8, 2] as const;
/** A search reads at most this much of what was typed; a spoken question is far shorter. */
const MAX_QUERY_CHARS = 1000;
/** Free text for `suggest` (a ticket description) may be longer. */
const MAX_SUGGEST_CHARS = 10_000;
/** At most this many (rarest) groups of a query are considered for matching; the rest still count for coverage. */
const MAX_MATCH_GROUPS = 12;
/** At most this many groups have their holders read in pass 1; the rest count in pass 2. */
const MAX_SET_GROUPS = 6;
/** Type-ahead ranks its matches only when there are at most this many. */
const TYPEAHEAD_RANK_LIMIT = 600;

export interface ImportResult {
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface StoredSynonymGroup {
  id: number;
  terms: string[];
  note: string;
}

interface CandidateHead {
  id: number;
  title_folded: string;
  keywords_folded: string;
  title_initials: string;
}

interface CandidateRow extends CandidateHead {
  body_folded: string;
}

interface ArticleRow {
  id: number;
  source_id: string;
  status: ArticleStatus;
  version: number;
  valid_from: string | null;
  valid_to: string | null;
  category: string;
  unit: string;
  contact_phone: string;
  updated_at: string;
  title: string;
  keywords: string;
  answer_html: string;
}

/**
 * Every KnowledgeBase open on one connection: an import through one of them
 * (the sync applier) refreshes the caches of the others (the search handlers).
 */
const openOnConnection = new WeakMap<Database.Database, Set<KnowledgeBase>>();

/** The knowledge base on `db` was replaced under its KnowledgeBase objects (a snapshot adopted): drop what they cached. */
export function knowledgeBaseReplaced(db: Database.Database): void {
  for (const kb of openOnConnection.get(db) ?? []) kb.dropCaches();
}

export class KnowledgeBase {
  private readonly segmenter: QuerySegmenter;
  private synonyms: SynonymIndex | undefined;
  private dfCache = new Map<string, number>();
  private articleCount: number | undefined;
  /** Whether every article has a given status: then a search need not join to check it. */
  private readonly allHaveStatus = new Map<string, boolean>();
  private readonly statements = new Map<string, Database.Statement>();
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    let siblings = openOnConnection.get(db);
    if (!siblings) openOnConnection.set(db, (siblings = new Set()));
    siblings.add(this);
    this.segmenter = new QuerySegmenter(() =>
      (db.prepare('SELECT word, freq FROM kb_lexicon').raw().iterate() as IterableIterator<[string, number]>),
    );
    this.stmts = {
      df: db.prepare('SELECT doc FROM kb_fts_terms WHERE term = ?').pluck(),
      count: db.prepare('SELECT count(*) FROM kb_articles').pluck(),
      bySource: db.prepare('SELECT * FROM kb_articles WHERE source_id = ?'),
      byId: db.prepare('SELECT * FROM kb_articles WHERE id = ?'),
      candidate: db.prepare('SELECT id, title_folded, keywords_folded, title_initials, body_folded FROM kb_articles WHERE id = ?'),
      display: db.prepare('SELECT id, source_id, title, category, unit, answer_html FROM kb_articles WHERE id = ?'),
      lexicon: db.prepare('INSERT OR IGNORE INTO kb_lexicon (word, freq) VALUES (?, ?)'),
      ftsDelete: db.prepare('DELETE FROM kb_fts WHERE rowid = ?'),
      ftsInsert: db.prepare('INSERT INTO kb_fts (rowid, title, keywords, body, initials, grams) VALUES (?, ?, ?, ?, ?, ?)'),
      miss: db.prepare(
        `INSERT INTO kb_search_misses (query, count, last_at) VALUES (?, 1, ?)
         ON CONFLICT (query) DO UPDATE SET count = count + 1, last_at = excluded.last_at`,
      ),
    };
  }

  // ------------------------------------------------------------------ import

  /** Import an XML (Taipei FAQ), JSON or CSV file in one transaction; a bad record refuses the whole file. */
  importFile(path: string, format?: ImportFormat): ImportResult {
    return this.importArticles(readArticlesFile(path, format));
  }

  /**
   * Insert or update articles by `sourceId`, all in one transaction. An
   * article whose content did not change keeps its version.
   */
  importArticles(input: readonly ArticleInput[]): ImportResult {
    const articles: ArticleFields[] = input.map((a, k) => {
      const r = ArticleInput.safeParse(a);
      if (!r.success) {
        const issue = r.error.issues[0]!;
        throw new KbImportError(`第 ${k + 1} 条记录${issue.path.length ? `字段 ${issue.path.join('.')}` : ''}：${issue.message}`, k + 1);
      }
      return r.data;
    });
    const result: ImportResult = { inserted: 0, updated: 0, unchanged: 0 };
    const now = new Date().toISOString();
    const upsert = this.db.prepare(`
      INSERT INTO kb_articles (id, source_id, status, version, valid_from, valid_to, category, unit, contact_phone, updated_at,
        category_folded, unit_folded, title, title_folded, title_initials, keywords, keywords_folded, body_folded, answer_html)
      VALUES (@id, @sourceId, @status, @version, @validFrom, @validTo, @category, @unit, @contactPhone, @updatedAt,
        @categoryFolded, @unitFolded, @title, @titleFolded, @titleInitials, @keywords, @keywordsFolded, @bodyFolded, @answerHtml)
      ON CONFLICT (source_id) DO UPDATE SET status = excluded.status, version = excluded.version,
        valid_from = excluded.valid_from, valid_to = excluded.valid_to, category = excluded.category, unit = excluded.unit,
        contact_phone = excluded.contact_phone, updated_at = excluded.updated_at, category_folded = excluded.category_folded,
        unit_folded = excluded.unit_folded, title = excluded.title, title_folded = excluded.title_folded,
        title_initials = excluded.title_initials, keywords = excluded.keywords, keywords_folded = excluded.keywords_folded,
        body_folded = excluded.body_folded, answer_html = excluded.answer_html
      RETURNING id`);
    const lexicon = new Set<string>();
    this.db.transaction(() => {
      for (const a of articles) {
        const existing = this.stmts.bySource.get(a.sourceId) as ArticleRow | undefined;
        if (existing && sameContent(existing, a)) {
          result.unchanged++;
          continue;
        }
        const titleFolded = fold(a.title);
        const keywordsFolded = fold(a.keywords.join('\n'));
        const bodyFolded = fold(htmlToText(a.answerHtml));
        const titleTokens = segmentForIndex(titleFolded);
        const keywordTokens = segmentForIndex(keywordsFolded);
        const bodyTokens = segmentForIndex(bodyFolded);
        const initials = new Set(initialsTokens(segmentWords(titleFolded)));
        for (const k of keywordsFolded.split('\n')) for (const t of initialsTokens(segmentWords(k))) initials.add(t);
        for (const list of [titleTokens, keywordTokens, bodyTokens]) {
          for (const t of list) if (t.length > 1 && isHan(t)) lexicon.add(t);
        }
        const row = {
          id: existing?.id ?? null,
          sourceId: a.sourceId,
          status: a.status,
          version: existing ? existing.version + 1 : 1,
          validFrom: a.validFrom,
          validTo: a.validTo,
          category: a.category,
          unit: a.unit,
          contactPhone: a.contactPhone,
          updatedAt: now,
          categoryFolded: fold(a.category),
          unitFolded: fold(a.unit),
          title: a.title,
          titleFolded,
          titleInitials: [...initials].join(' '),
          keywords: JSON.stringify(a.keywords),
          keywordsFolded,
          bodyFolded,
          answerHtml: a.answerHtml,
        };
        const { id } = upsert.get(row) as { id: number };
        if (existing) {
          this.stmts.ftsDelete.run(id);
          result.updated++;
        } else {
          result.inserted++;
        }
        this.stmts.ftsInsert.run(id, titleTokens.join(' '), keywordTokens.join(' '), bodyTokens.join(' '), row.titleInitials, hanBigrams(titleFolded + '\n' + keywordsFolded).join(' '));
      }
      for (const w of lexicon) this.stmts.lexicon.run(w, dictionaryFrequency(w) ?? 3);
    })();
    if (result.inserted || result.updated) for (const kb of openOnConnection.get(this.db) ?? [this]) kb.invalidate();
    return result;
  }

  /** @internal for knowledgeBaseReplaced */
  dropCaches(): void {
    this.invalidate();
  }

  private invalidate(): void {
    this.dfCache.clear();
    this.articleCount = undefined;
    this.allHaveStatus.clear();
    this.segmenter.invalidate();
  }

  // ------------------------------------------------------------------ read

  getArticle(id: number): Article | undefined {
    const r = this.stmts.byId.get(id) as ArticleRow | undefined;
    return r && toArticle(r);
  }

  getArticleBySourceId(sourceId: string): Article | undefined {
    const r = this.stmts.bySource.get(sourceId) as ArticleRow | undefined;
    return r && toArticle(r);
  }

  // ------------------------------------------------------------------ search

  /**
   * Articles for what the operator typed: two characters, a phrase, a whole
   * question, pinyin initials, either script. Never throws on odd input; an
   * empty or punctuation-only query finds nothing.
   */
  search(query: string, options: SearchOptions = {}): SearchHit[] {
    const opts = parseOptions(options);
    const text = typeof query === 'string' ? query.slice(0, MAX_QUERY_CHARS) : '';
    const hits = this.rank(text, opts, {});
    if (!hits.length && text.trim()) this.logMiss(text.trim());
    return hits;
  }

  /**
   * Related articles for a long free text (the ticket description being
   * typed): ranked by how much of the text an article covers, each word
   * weighted by its rarity in the knowledge base.
   */
  suggest(text: string, limit = 5): SearchHit[] {
    const opts = parseOptions({ limit });
    return this.rank(typeof text === 'string' ? text.slice(0, MAX_SUGGEST_CHARS) : '', opts, { longText: true });
  }

  /**
   * Titles for what is typed so far, the end possibly unfinished (复康巴 →
   * 复康巴士…; fkb → 复康巴士…). Han text is matched as a substring of the
   * title side through its character bigrams, so a half-typed word is found
   * wherever jieba would put the word boundaries; Latin letters and digits
   * as words or pinyin initials, the last one as a prefix. Starts at two
   * characters.
   */
  typeahead(prefix: string, limit = 8): TypeaheadHit[] {
    const folded = fold(typeof prefix === 'string' ? prefix.slice(0, 100) : '');
    const parts: string[] = [];
    const runs = folded.match(/\p{Script=Han}+/gu) ?? [];
    // A lone character next to other text (98年) is left out: as a prefix over bigrams it costs more than it narrows.
    const lone = runs.length > 1 || /[\p{Script=Latin}\p{N}]/u.test(folded);
    for (const run of runs) {
      const grams = hanBigrams(run);
      if (grams.length > 1) parts.push(`grams : "${grams.join(' ')}"`);
      else if (run.length === 2) parts.push(`grams : ${quoteToken(grams[0]!)}`);
      else if (!lone) parts.push(`grams : ${quoteToken(grams[0]!)}*`);
    }
    const words = folded.match(/[\p{Script=Latin}\p{N}]+/gu) ?? [];
    const endsInWord = /[\p{Script=Latin}\p{N}]$/u.test(folded);
    words.forEach((w, k) => {
      parts.push(`{title keywords initials} : ${quoteToken(w)}${k === words.length - 1 && endsInWord ? '*' : ''}`);
    });
    const hanChars = runs.join('').length;
    if (!parts.length || (hanChars < 2 && !words.some((w) => w.length >= 2))) return [];
    const alternatives = [parts.map((p) => `(${p})`).join(' AND ')];
    if (!alternatives.length) return [];
    const expr = alternatives.join(' OR ');
    const n = Math.min(Math.max(1, limit | 0), 50);
    const filter = this.filterSql(parseOptions({}));
    // bm25 costs about a microsecond per match: rank only when the prefix is specific enough.
    // A prefix held by hundreds of titles shows some of them unranked until the operator types on.
    const matches = this.statement(`SELECT f.rowid FROM kb_fts f ${filter.join} WHERE kb_fts MATCH @expr ${filter.where} LIMIT @cap`)
      .pluck()
      .all({ ...filter.params, expr, cap: TYPEAHEAD_RANK_LIMIT + 1 }) as number[];
    if (matches.length > TYPEAHEAD_RANK_LIMIT) {
      return matches.slice(0, n).map((id) => {
        const a = this.stmts.display.get(id) as Pick<ArticleRow, 'id' | 'source_id' | 'title'>;
        return { id: a.id, sourceId: a.source_id, title: a.title };
      });
    }
    return this.statement(
      `SELECT a.id, a.source_id AS sourceId, a.title FROM kb_fts JOIN kb_articles a ON a.id = kb_fts.rowid
       WHERE kb_fts MATCH ? AND a.status = 'published'
       ORDER BY bm25(kb_fts, ${BM25_WEIGHTS.join(', ')}) + length(a.title_folded) * 0.00001 LIMIT ?`,
    ).all(expr, n) as TypeaheadHit[];
  }

  /**
   * One bm25 over every matching article costs about a microsecond per match
   * and per phrase: too slow for a common word at 100k articles. So:
   *  pass 1 — for each rare group (rarest first, within a budget of ids),
   *    read the ids of the articles holding it, on the title side and
   *    anywhere, and add up its rarity weight (1 in the title side, 0.7 only
   *    in the body): a coverage estimate made of set arithmetic. Ties are
   *    broken by bm25 over the title side, when that set is small;
   *  pass 2 — read the leaders' folded text and score the coverage of every
   *    group (the common ones too), with term density, title length and the
   *    whole query appearing in the title as small tie-breakers.
   */
  private rank(text: string, opts: ReturnType<typeof parseOptions>, mode: { longText?: boolean }): SearchHit[] {
    const folded = fold(text);
    const groups = this.weigh(planGroups(folded, this.synonymIndex(), (s) => this.segmenter.cut(s)), mode.longText);
    if (!groups.length) return [];
    const n = this.count();
    const filter = this.filterSql(opts);
    const poolSize = Math.min(300, Math.max(60, opts.limit * 12));

    const byRarity = [...groups].sort((a, b) => b.weight - a.weight).slice(0, MAX_MATCH_GROUPS);
    // Groups rare enough to read the id of every article that holds them.
    const rare: TermGroup[] = [];
    let budget = Math.max(2_000, n * 0.05);
    for (const g of byRarity) {
      if (g.df > budget || rare.length >= MAX_SET_GROUPS) continue;
      rare.push(g);
      budget -= g.df;
    }
    const readAll = rare.length > 0;
    const setGroups = readAll ? rare : byRarity.slice(0, 1);
    const cap = readAll ? 50_000 : poolSize;
    const ids = this.statement(`SELECT f.rowid FROM kb_fts f ${filter.join} WHERE kb_fts MATCH @expr ${filter.where} LIMIT @cap`).pluck();

    // Pass 1 is set arithmetic on ids: a group in the title side counts 1, only in the body 0.7.
    const estimate = new Map<number, number>();
    const titleHolders: number[] = [];
    for (const g of setGroups) {
      const expr = groupExpression(g);
      const inTitle = new Set(ids.all({ ...filter.params, expr: `{title keywords initials} : ${expr}`, cap }) as number[]);
      titleHolders.push(inTitle.size);
      for (const id of ids.all({ ...filter.params, expr, cap }) as number[]) {
        estimate.set(id, (estimate.get(id) ?? 0) + g.weight * (inTitle.has(id) ? 1 : 0.7));
      }
    }
    if (!estimate.size) return [];
    // Ties are broken by bm25 on the title side of the rarest groups, as many as keep that set small enough to rank quickly.
    const bmOf = new Map<number, number>();
    const ranked: TermGroup[] = [];
    for (let k = 0, held = 0; readAll && k < setGroups.length && held + titleHolders[k]! <= 800; k++) {
      held += titleHolders[k]!;
      if (titleHolders[k]) ranked.push(setGroups[k]!);
    }
    if (ranked.length) {
      const rows = this.statement(
        `SELECT f.rowid, bm25(kb_fts, ${BM25_WEIGHTS.join(', ')}) AS bm FROM kb_fts f ${filter.join}
         WHERE kb_fts MATCH @expr ${filter.where} ORDER BY bm LIMIT @pool`,
      ).raw().all({ ...filter.params, expr: `{title keywords initials} : (${ranked.map(groupExpression).join(' OR ')})`, pool: poolSize }) as Array<[number, number]>;
      for (const [id, bm] of rows) bmOf.set(id, bm);
    }
    const bestBm = Math.min(-1e-9, ...bmOf.values());
    const totalWeight = groups.reduce((s, g) => s + g.weight, 0) || 1;
    const first = [...estimate.entries()]
      .map(([id, w]) => ({ id, score: w / totalWeight + 0.15 * ((bmOf.get(id) ?? 0) / bestBm) }))
      .sort((x, y) => y.score - x.score || x.id - y.id);
    const wholeQuery = folded.replace(/[^\p{L}\p{N}]+/gu, '');
    const prior = (c: CandidateRow) =>
      0.15 * ((bmOf.get(c.id) ?? 0) / bestBm) +
      0.05 * (12 / (12 + c.title_folded.length)) +
      (wholeQuery.length >= 2 && c.title_folded.includes(wholeQuery) ? 0.3 : 0);

    // Pass 2 reads the body of the leaders: every group's presence there, and how densely they occur.
    const scored: Array<{ c: CandidateRow; score: number }> = [];
    for (const { id } of first.slice(0, Math.max(30, opts.limit * 3))) {
      const c = this.stmts.candidate.get(id) as CandidateRow | undefined;
      if (!c) continue;
      let covered = 0;
      let dense = 0;
      for (const g of groups) {
        const p = titlePresence(g, c) || bodyPresence(g, c);
        covered += g.weight * p;
        if (p > 0) dense += (g.weight * Math.min(occurrences(g, c), 4)) / 4;
      }
      scored.push({ c, score: covered / totalWeight + 0.15 * (dense / totalWeight) + prior(c) });
    }
    scored.sort((x, y) => y.score - x.score || x.c.id - y.c.id);

    const terms = highlightTerms(groups);
    return scored.slice(0, opts.limit).map(({ c, score }) => {
      const d = this.stmts.display.get(c.id) as Pick<ArticleRow, 'id' | 'source_id' | 'title' | 'category' | 'unit' | 'answer_html'>;
      return {
        id: d.id,
        sourceId: d.source_id,
        title: d.title,
        score: Math.round(score * 10000) / 10000,
        snippet: snippet(htmlToText(d.answer_html), c.body_folded, terms),
        titleHighlighted: highlightAll(d.title, c.title_folded, terms),
        category: d.category,
        unit: d.unit,
      };
    });
  }

  private statement(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /**
   * SQL for the search filters. Without filters, and while every article has
   * the wanted status, the index is read alone: no join per match.
   */
  private filterSql(opts: ReturnType<typeof parseOptions>): { join: string; where: string; params: Record<string, unknown> } {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    let allHaveStatus = this.allHaveStatus.get(opts.status);
    if (allHaveStatus === undefined) {
      const holds = this.db.prepare('SELECT EXISTS (SELECT 1 FROM kb_articles WHERE status = ?)').pluck();
      allHaveStatus = ArticleStatus.options.filter((s) => s !== opts.status).every((other) => holds.get(other) === 0);
      this.allHaveStatus.set(opts.status, allHaveStatus);
    }
    if (!allHaveStatus) {
      where.push('a.status = @status');
      params.status = opts.status;
    }
    if (opts.category) {
      where.push('a.category_folded = @category');
      params.category = fold(opts.category);
    }
    if (opts.unit) {
      where.push('instr(a.unit_folded, @unit) > 0');
      params.unit = fold(opts.unit);
    }
    if (opts.validAt) {
      where.push('(a.valid_from IS NULL OR a.valid_from <= @validAt) AND (a.valid_to IS NULL OR a.valid_to >= @validAt)');
      params.validAt = opts.validAt;
    }
    if (!where.length) return { join: '', where: '', params };
    return { join: 'JOIN kb_articles a ON a.id = f.rowid', where: 'AND ' + where.join(' AND '), params };
  }

  /** Fill in document frequency and rarity weight; drop groups nothing in the index contains. */
  private weigh(groups: TermGroup[], longText = false): TermGroup[] {
    const n = Math.max(1, this.count());
    const out: TermGroup[] = [];
    for (const g of groups) {
      let df = 0;
      for (const a of g.alternatives) {
        if (a.prefix) {
          df += n * 0.01; // unknown until run; type-ahead does not use weights
          continue;
        }
        let m = Infinity;
        for (const t of a.tokens) m = Math.min(m, this.df(t));
        df += m === Infinity ? 0 : m;
      }
      if (df <= 0) continue;
      g.df = Math.min(n, df);
      g.weight = idf(g.df, n) * (longText ? 1 + Math.log(g.occurrences) : 1);
      out.push(g);
    }
    return out;
  }

  private df(token: string): number {
    let v = this.dfCache.get(token);
    if (v === undefined) {
      v = (this.stmts.df.get(token) as number | undefined) ?? 0;
      if (this.dfCache.size > 50_000) this.dfCache.clear();
      this.dfCache.set(token, v);
    }
    return v;
  }

  private count(): number {
    this.articleCount ??= this.stmts.count.get() as number;
    return this.articleCount;
  }

  private logMiss(query: string): void {
    try {
      this.stmts.miss.run(query.slice(0, 200), new Date().toISOString());
    } catch {
      // A read-only file (a second console, a benchmark) just does not log.
    }
  }

  /** The most frequent searches that found nothing: candidates for new synonyms or articles. */
  listSearchMisses(limit = 50): Array<{ query: string; count: number; lastAt: string }> {
    return this.db
      .prepare('SELECT query, count, last_at AS lastAt FROM kb_search_misses ORDER BY count DESC, last_at DESC LIMIT ?')
      .all(limit) as Array<{ query: string; count: number; lastAt: string }>;
  }

  // ------------------------------------------------------------------ synonyms

  listSynonyms(): StoredSynonymGroup[] {
    return (this.db.prepare('SELECT id, terms, note FROM kb_synonym_groups ORDER BY id').all() as Array<{ id: number; terms: string; note: string }>).map(
      (r) => ({ id: r.id, terms: JSON.parse(r.terms) as string[], note: r.note }),
    );
  }

  /** Add a group (no id) or replace one (with id). Takes effect on the next search; no re-index. */
  upsertSynonyms(group: SynonymGroup): StoredSynonymGroup {
    const r = SynonymGroup.safeParse(group);
    if (!r.success) throw new KbError(`同义词组无效：${r.error.issues[0]!.message}`);
    const terms = [...new Set(r.data.terms)];
    if (terms.length < 2) throw new KbError('同义词组无效：一组同义词至少两个不同的词');
    const now = new Date().toISOString();
    let id = r.data.id;
    if (id !== undefined) {
      const changed = this.db.prepare('UPDATE kb_synonym_groups SET terms = ?, note = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(terms), r.data.note, now, id);
      if (!changed.changes) throw new KbError(`同义词组 ${id} 不存在`);
    } else {
      id = Number(this.db.prepare('INSERT INTO kb_synonym_groups (terms, note, updated_at) VALUES (?, ?, ?)').run(JSON.stringify(terms), r.data.note, now).lastInsertRowid);
    }
    this.synonyms = undefined;
    return { id, terms, note: r.data.note };
  }

  deleteSynonyms(id: number): boolean {
    const ok = this.db.prepare('DELETE FROM kb_synonym_groups WHERE id = ?').run(id).changes > 0;
    this.synonyms = undefined;
    return ok;
  }

  private synonymIndex(): SynonymIndex {
    if (!this.synonyms) {
      const alternativesOf = new Map<string, string[]>();
      let longest = 0;
      for (const g of this.listSynonyms()) {
        const folded = [...new Set(g.terms.map((t) => fold(t).replace(/\s+/g, '')).filter((t) => t.length >= 2))];
        for (const t of folded) {
          alternativesOf.set(t, [...new Set([...(alternativesOf.get(t) ?? [t]), ...folded])]);
          longest = Math.max(longest, t.length);
        }
      }
      this.synonyms = { alternativesOf, longest };
    }
    return this.synonyms;
  }
}

function parseOptions(options: SearchOptions) {
  const r = SearchOptions.safeParse(options ?? {});
  if (!r.success) throw new KbError(`搜索条件无效：${r.error.issues[0]!.path.join('.')} ${r.error.issues[0]!.message}`);
  return { ...r.data, status: r.data.status ?? 'published' };
}

/** 1 when the title, keywords or pinyin initials hold the group, else 0. */
function titlePresence(g: TermGroup, c: CandidateHead): number {
  for (const a of g.alternatives) {
    if (a.initials) {
      if ((' ' + c.title_initials + ' ').includes(' ' + a.text + ' ')) return 1;
    } else if (c.title_folded.includes(a.text) || c.keywords_folded.includes(a.text)) return 1;
  }
  return 0;
}

/** 0.7 when only the answer holds the group: a word in the title says more about an article. */
function bodyPresence(g: TermGroup, c: CandidateRow): number {
  for (const a of g.alternatives) if (!a.initials && c.body_folded.includes(a.text)) return 0.7;
  return 0;
}

/** How often the group's words occur in the article (capped), for density. */
function occurrences(g: TermGroup, c: CandidateRow): number {
  let count = 0;
  for (const a of g.alternatives) {
    if (a.initials || !a.text) continue;
    for (const text of [c.title_folded, c.body_folded]) {
      let from = 0;
      while (count < 4) {
        const at = text.indexOf(a.text, from);
        if (at < 0) break;
        count++;
        from = at + a.text.length;
      }
    }
  }
  return count;
}

function highlightTerms(groups: readonly TermGroup[]): string[] {
  const terms = new Set<string>();
  for (const g of groups) for (const a of g.alternatives) if (!a.initials && a.text) terms.add(a.text);
  return [...terms].sort((a, b) => b.length - a.length);
}

function sameContent(row: ArticleRow, a: ArticleFields): boolean {
  return (
    row.title === a.title &&
    row.answer_html === a.answerHtml &&
    row.keywords === JSON.stringify(a.keywords) &&
    row.category === a.category &&
    row.unit === a.unit &&
    row.contact_phone === a.contactPhone &&
    row.valid_from === a.validFrom &&
    row.valid_to === a.validTo &&
    row.status === a.status
  );
}

function toArticle(r: ArticleRow): Article {
  return {
    id: r.id,
    sourceId: r.source_id,
    title: r.title,
    answerHtml: r.answer_html,
    keywords: JSON.parse(r.keywords) as string[],
    category: r.category,
    unit: r.unit,
    contactPhone: r.contact_phone,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    status: r.status,
    version: r.version,
    updatedAt: r.updated_at,
  };
}

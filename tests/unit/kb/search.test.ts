import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type Database from 'better-sqlite3';
import type { KnowledgeBase } from '../../../src/host/kb/index';
import { FAQ_XML, openConsoleDb } from './helpers';

describe('an operator searching the Taipei FAQ', () => {
  let db: Database.Database;
  let kb: KnowledgeBase;
  beforeAll(() => {
    ({ db, kb } = openConsoleDb());
    kb.importFile(FAQ_XML);
  }, 60_000);
  afterAll(() => db.close());

  const top = (q: string, n = 5) => kb.search(q, { limit: n }).map((h) => h.sourceId);

  it('finds the Traditional article from a Simplified query, and from the Traditional one', () => {
    expect(top('复康巴士', 3)).toContain('GIP_207289709');
    expect(top('復康巴士', 3)).toContain('GIP_207289709');
  });

  it('finds 計程車 articles from the mainland word 出租车 and 身分證 from 身份证', () => {
    expect(top('出租车', 3)).toEqual(expect.arrayContaining(['GIP_308336896']));
    expect(top('身份证')).toContain('GIP_109234880');
  });

  it('finds an article by the pinyin initials of a run of title words (fkbs → 復康巴士)', () => {
    expect(top('fkbs', 3).sort()).toEqual(['GIP_100738455', 'GIP_111995992', 'GIP_207289709']);
    expect(top('FKBS', 3).sort()).toEqual(['GIP_100738455', 'GIP_111995992', 'GIP_207289709']);
  });

  it('ranks a whole spoken question by how much of it an article covers', () => {
    expect(top('在出租车上东西丢了怎么找', 1)).toEqual(['GIP_308336896']);
    expect(top('家里停水了可以叫水车送水吗', 1)).toEqual(['GIP_224936391']);
  });

  it('returns highlighted, escaped snippets and titles', () => {
    const [hit] = kb.search('海葬', { limit: 1 });
    expect(hit!.titleHighlighted).toContain('<mark>海葬</mark>');
    expect(hit!.snippet.replace(/<\/?mark>/g, '')).not.toMatch(/<|>/);
    expect(hit!.score).toBeGreaterThan(0);
  });

  it('never throws on FTS5 syntax, emoji, huge or empty queries', () => {
    for (const q of ['"', '*', 'AND', 'OR', 'NOT', 'NEAR(停水 断水, 2)', '(', ')', '-', '"停水', '停水*', 'title:停水', '{title}: x', '^停水', '😀🚕', '🚕 计程车', '', '   ', '\u0000', 'a'.repeat(10_000), '停水'.repeat(5_000)]) {
      expect(() => kb.search(q), JSON.stringify(q.slice(0, 20))).not.toThrow();
      expect(() => kb.typeahead(q)).not.toThrow();
      expect(() => kb.suggest(q)).not.toThrow();
    }
    expect(kb.search('')).toEqual([]);
    expect(kb.search('-')).toEqual([]);
    expect(top('🚕 计程车', 3)).toContain('GIP_308336896');
    expect(top('NEAR(海葬)', 3)).toContain('GIP_119690947');
    expect(kb.search('停水'.repeat(5_000), { limit: 3 }).length).toBeGreaterThan(0);
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60, unit: fc.oneof(fc.constantFrom(...[...'停水计程车"*()-:^{}ANDORNEAR 😀，。？a1']), fc.constantFrom(' AND ', ' OR ', 'NEAR(', ' NOT ')) }), (q) => {
        const hits = kb.search(q, { limit: 3 });
        expect(hits.length).toBeLessThanOrEqual(3);
        kb.typeahead(q, 3);
      }),
      { numRuns: 300 },
    );
  });

  it('filters by category, unit, validity and status', () => {
    const all = kb.search('补助', { limit: 50 });
    const social = kb.search('补助', { limit: 50, category: '臺北市政府社會局' });
    expect(social.length).toBeGreaterThan(0);
    expect(social.every((h) => h.category === '臺北市政府社會局')).toBe(true);
    expect(kb.search('补助', { limit: 50, category: '台北市政府社会局' }).length).toBe(social.length);
    const elderly = kb.search('补助', { limit: 50, unit: '老人福利' });
    expect(elderly.length).toBeGreaterThan(0);
    expect(elderly.every((h) => h.unit.includes('老人福利'))).toBe(true);
    const valid = kb.search('补助', { limit: 50, validAt: '2026-06-01' });
    for (const h of valid) {
      const a = kb.getArticle(h.id)!;
      expect(a.validTo === null || a.validTo >= '2026-06-01').toBe(true);
    }
    expect(valid.length).toBeLessThanOrEqual(all.length);
    expect(kb.search('补助', { status: 'retired' })).toEqual([]);
  });

  it('offers titles while the operator types, from a partial word or partial initials', () => {
    expect(kb.typeahead('复康巴', 5).map((h) => h.sourceId)).toContain('GIP_207289709');
    expect(kb.typeahead('fkb', 5).map((h) => h.sourceId)).toContain('GIP_207289709');
    expect(kb.typeahead('同性伴', 10).length).toBeGreaterThanOrEqual(5);
  });

  it('suggests related articles for a ticket description', () => {
    const text = '市民来电反映：家中老人今年满65岁，想了解台北市老人健保自付额补助的资格，是否需要每年重新申请，以及退费需要准备哪些文件。';
    const ids = kb.suggest(text, 5).map((h) => h.sourceId);
    expect(ids.filter((id) => ['GIP_225337501', 'GIP_232214545', 'GIP_221326634', 'GIP_223254905'].includes(id)).length).toBeGreaterThanOrEqual(2);
  });

  it('logs searches that found nothing, for the synonym vocabulary to grow from', () => {
    kb.search('量子纠缠');
    kb.search('量子纠缠');
    expect(kb.listSearchMisses()).toEqual(expect.arrayContaining([expect.objectContaining({ query: '量子纠缠', count: 2 })]));
  });
});

describe('synonyms as data', () => {
  it('comes seeded with hotline and cross-Strait words, and an operator can add a group that works at once', () => {
    const { kb, db } = openConsoleDb();
    const groups = kb.listSynonyms();
    expect(groups.some((g) => g.terms.includes('停水') && g.terms.includes('断水') && g.terms.includes('没水'))).toBe(true);
    expect(groups.some((g) => g.terms.includes('出租车') && g.terms.includes('计程车'))).toBe(true);
    kb.importArticles([{ sourceId: 'S1', title: '機車停車格收費說明', answerHtml: '機車停車格自今年起收費。' }]);
    expect(kb.search('电驴').map((h) => h.sourceId)).toEqual([]);
    const g = kb.upsertSynonyms({ terms: ['电驴', '机车', '摩托车'], note: '口语' });
    expect(kb.search('电驴').map((h) => h.sourceId)).toEqual(['S1']);
    expect(kb.search('没水')).toEqual([]);
    kb.deleteSynonyms(g.id);
    expect(kb.search('电驴')).toEqual([]);
    expect(() => kb.upsertSynonyms({ terms: ['只有一个'] })).toThrow(/至少两个/);
    db.close();
  });
});

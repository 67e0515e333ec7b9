import type { kbApi } from '../../shared/host-api-kb';
import { centerDate } from '../../shared/ticket/time';
import type { AreaHandlers, HostContext } from '../context';
import { HostFailure } from '../errors';
import { KnowledgeBase } from './index';

/** The knowledge-base area of the host API (see src/shared/host-api-kb.ts). */
export function kbHandlers(ctx: HostContext): AreaHandlers<typeof kbApi> {
  let kb: KnowledgeBase | undefined;
  const base = () => (kb ??= new KnowledgeBase(ctx.db));
  const usedBy = (operatorId: string, order: 'recent' | 'frequent', limit: number) =>
    ctx.db
      .prepare(
        `SELECT u.article_id AS id, a.source_id AS sourceId, a.title, count(*) AS uses, max(u.used_at) AS lastUsedAt
         FROM kb_article_uses u JOIN kb_articles a ON a.id = u.article_id
         WHERE u.operator_id = ? AND a.status = 'published'
         GROUP BY u.article_id ORDER BY ${order === 'recent' ? 'lastUsedAt DESC' : 'uses DESC, lastUsedAt DESC'} LIMIT ?`,
      )
      .all(operatorId, limit) as { id: number; sourceId: string; title: string; uses: number; lastUsedAt: string }[];

  return {
    'kb.search': ({ query, limit, category, unit, validOnly }) =>
      base().search(query, { limit, category, unit, validAt: validOnly ? centerDate(new Date()) : undefined }),
    'kb.typeahead': ({ prefix, limit }) => base().typeahead(prefix, limit),
    'kb.suggest': ({ text, limit }) => base().suggest(text, limit),
    'kb.article': ({ id }) => {
      const a = base().getArticle(id);
      if (!a) throw new HostFailure('not_found', '该知识条目不存在或已下线');
      return a;
    },
    'kb.recordUse': ({ id, callId }) => {
      const user = ctx.requireUser();
      const a = base().getArticle(id);
      if (!a) throw new HostFailure('not_found', '该知识条目不存在或已下线');
      ctx.db
        .prepare('INSERT INTO kb_article_uses (article_id, source_id, operator_id, call_id, used_at) VALUES (?, ?, ?, ?, ?)')
        .run(a.id, a.sourceId, user.id, callId, new Date().toISOString());
      return { ok: true as const };
    },
    'kb.used': ({ limit }) => {
      const user = ctx.requireUser();
      return { recent: usedBy(user.id, 'recent', limit), frequent: usedBy(user.id, 'frequent', limit) };
    },
    'kb.stats': () => ({ published: ctx.db.prepare(`SELECT count(*) AS n FROM kb_articles WHERE status = 'published'`).pluck().get() as number }),
  };
}

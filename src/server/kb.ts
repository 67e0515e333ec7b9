import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ArticleFields } from '../shared/kb';
import { PublishArticlesRequest, type KbArticleSnapshot } from '../shared/sync-changes';
import { audit } from './audit';
import { appendChanges } from './changes';
import type { Db, Queryable } from './db';
import { HttpError, parseBody } from './errors';
import type { UserRow } from './users';

/**
 * The knowledge base on the server: leads and admins publish, edit and
 * retire articles; each change goes into the change log with scope 'all', so
 * every console receives it at its next pull (within a poke, seconds).
 */

function requireEditor(user: UserRow) {
  if (user.role !== 'lead' && user.role !== 'admin') throw new HttpError(403, 'forbidden', '只有班长或管理员可以发布或下线知识库文章');
}

/** Store articles (a new version only where the content changed) and log each change; returns the changed snapshots. */
export async function publishArticles(tx: Queryable, articles: readonly ArticleFields[], userId: string): Promise<KbArticleSnapshot[]> {
  const last = new Map(articles.map((a) => [a.sourceId, a]));
  const list = [...last.values()];
  const { rows } = await tx.query<{ source_id: string; version: number }>(
    `INSERT INTO kb_articles AS k (source_id, version, status, title, answer_html, keywords, category, unit, contact_phone, valid_from, valid_to, updated_by)
     SELECT a."sourceId", 1, a.status, a.title, a."answerHtml", a.keywords, a.category, a.unit, a."contactPhone", a."validFrom"::date, a."validTo"::date, $2::uuid
       FROM jsonb_to_recordset($1::jsonb) AS a("sourceId" text, status text, title text, "answerHtml" text, keywords jsonb, category text, unit text,
         "contactPhone" text, "validFrom" text, "validTo" text)
     ON CONFLICT (source_id) DO UPDATE SET version = k.version + 1, status = excluded.status, title = excluded.title, answer_html = excluded.answer_html,
       keywords = excluded.keywords, category = excluded.category, unit = excluded.unit, contact_phone = excluded.contact_phone,
       valid_from = excluded.valid_from, valid_to = excluded.valid_to, updated_at = now(), updated_by = excluded.updated_by
     WHERE (k.status, k.title, k.answer_html, k.keywords, k.category, k.unit, k.contact_phone, k.valid_from, k.valid_to)
       IS DISTINCT FROM (excluded.status, excluded.title, excluded.answer_html, excluded.keywords, excluded.category, excluded.unit,
         excluded.contact_phone, excluded.valid_from, excluded.valid_to)
     RETURNING source_id, version`,
    [JSON.stringify(list), userId],
  );
  const snapshots = rows.map((r): KbArticleSnapshot => ({ sourceId: r.source_id, version: r.version, article: last.get(r.source_id)! }));
  await appendChanges(
    tx,
    snapshots.map((s) => ({ scope: 'all' as const, entity: 'kb_article' as const, entityId: s.sourceId, op: 'put' as const, payload: s })),
  );
  return snapshots;
}

interface ArticleRow {
  source_id: string;
  version: number;
  status: ArticleFields['status'];
  title: string;
  answer_html: string;
  keywords: string[];
  category: string;
  unit: string;
  contact_phone: string;
  valid_from: string | null;
  valid_to: string | null;
}

/** `onChanged`: after a commit that changed the knowledge base (the snapshot for new consoles is rebuilt). */
export function registerKbRoutes(app: FastifyInstance, db: Db, userOf: (req: FastifyRequest) => UserRow, onChanged: () => void = () => {}) {
  app.post('/api/admin/kb/articles', async (req) => {
    const user = userOf(req);
    requireEditor(user);
    const { articles } = parseBody(PublishArticlesRequest, req.body);
    const changed = await db.transaction(async (tx) => {
      const snapshots = await publishArticles(tx, articles, user.id);
      await audit(tx, 'kb.published', user.id, { count: articles.length, changed: snapshots.length });
      return snapshots;
    });
    if (changed.length) onChanged();
    return { changed: changed.map((s) => ({ sourceId: s.sourceId, version: s.version })) };
  });

  app.post('/api/admin/kb/articles/:sourceId/retire', async (req) => {
    const user = userOf(req);
    requireEditor(user);
    const sourceId = z.string().min(1).max(200).parse((req.params as { sourceId: string }).sourceId);
    const retired = await db.transaction(async (tx) => {
      const { rows } = await tx.query<ArticleRow>(
        `SELECT source_id, version, status, title, answer_html, keywords, category, unit, contact_phone,
           to_char(valid_from, 'YYYY-MM-DD') AS valid_from, to_char(valid_to, 'YYYY-MM-DD') AS valid_to FROM kb_articles WHERE source_id = $1 FOR UPDATE`,
        [sourceId],
      );
      const r = rows[0];
      if (!r) throw new HttpError(404, 'not_found', `知识库中没有编号为 ${sourceId} 的文章`);
      const article: ArticleFields = {
        sourceId: r.source_id,
        title: r.title,
        answerHtml: r.answer_html,
        keywords: r.keywords,
        category: r.category,
        unit: r.unit,
        contactPhone: r.contact_phone,
        validFrom: r.valid_from,
        validTo: r.valid_to,
        status: 'retired',
      };
      const [changed] = await publishArticles(tx, [article], user.id);
      await audit(tx, 'kb.retired', user.id, { sourceId });
      return { sourceId, version: changed?.version ?? r.version };
    });
    onChanged();
    return retired;
  });
}

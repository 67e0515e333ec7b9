import { z } from 'zod';
import { Article, SearchHit, TypeaheadHit } from './kb';
import { Empty, method } from './host-api-method';

/**
 * Host API methods for the knowledge base: search as the operator types,
 * related articles for a ticket's description, the article itself (its HTML
 * is untrusted: the renderer sanitizes it), and which article answered a call.
 */

export const KbUsedArticle = z.object({
  id: z.number().int(),
  sourceId: z.string(),
  title: z.string(),
  uses: z.number().int(),
  lastUsedAt: z.string(),
});
export type KbUsedArticle = z.infer<typeof KbUsedArticle>;

const Query = z.string().max(10_000);
const Limit = (max: number, dflt: number) => z.number().int().min(1).max(max).default(dflt);

export const kbApi = {
  'kb.search': method(
    z.object({ query: Query, limit: Limit(50, 10), category: z.string().max(200).optional(), unit: z.string().max(200).optional(), validOnly: z.boolean().default(true) }).strict(),
    z.array(SearchHit),
  ),
  'kb.typeahead': method(z.object({ prefix: z.string().max(200), limit: Limit(20, 8) }).strict(), z.array(TypeaheadHit)),
  'kb.suggest': method(z.object({ text: Query, limit: Limit(20, 5) }).strict(), z.array(SearchHit)),
  'kb.article': method(z.object({ id: z.number().int().positive() }).strict(), Article),
  'kb.recordUse': method(z.object({ id: z.number().int().positive(), callId: z.string().max(128).nullable().default(null) }).strict(), z.object({ ok: z.literal(true) })),
  'kb.used': method(z.object({ limit: Limit(20, 8) }).strict(), z.object({ recent: z.array(KbUsedArticle), frequent: z.array(KbUsedArticle) })),
  'kb.stats': method(Empty, z.object({ published: z.number().int() })),
} as const;

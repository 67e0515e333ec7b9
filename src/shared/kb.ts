import { z } from 'zod';

/**
 * Knowledge-base contracts: the article an operator reads out to a caller,
 * the synonym vocabulary, and what a search returns. Pure data and pure text
 * helpers only; the index itself lives in src/host/kb.
 */

export const ArticleStatus = z.enum(['draft', 'published', 'retired']);
export type ArticleStatus = z.infer<typeof ArticleStatus>;

/** A validity day, `YYYY-MM-DD` (the hotline works in whole days). */
export const KbDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');

/** An article as it arrives from a file or from the server, before it has a local id. */
export const ArticleInput = z
  .object({
    /** The source's own id (the FAQ's data_id); re-importing the same id updates the article. */
    sourceId: z.string().trim().min(1, '缺少来源编号 sourceId').max(200),
    title: z.string().trim().min(1, '缺少标题').max(1000),
    /** The answer as HTML from the source: untrusted, sanitized when rendered. */
    answerHtml: z.string().max(1_000_000).default(''),
    keywords: z.array(z.string().trim().min(1).max(100)).max(200).default([]),
    category: z.string().trim().max(200).default(''),
    /** The responsible unit (承办单位). */
    unit: z.string().trim().max(200).default(''),
    contactPhone: z.string().trim().max(100).default(''),
    validFrom: KbDate.nullable().default(null),
    validTo: KbDate.nullable().default(null),
    status: ArticleStatus.default('published'),
  })
  .refine((a) => a.validFrom === null || a.validTo === null || a.validFrom <= a.validTo, {
    message: '有效期结束日期早于开始日期',
    path: ['validTo'],
  });
export type ArticleInput = z.input<typeof ArticleInput>;
export type ArticleFields = z.output<typeof ArticleInput>;

export const Article = z.object({
  id: z.number().int().positive(),
  sourceId: z.string(),
  title: z.string(),
  answerHtml: z.string(),
  keywords: z.array(z.string()),
  category: z.string(),
  unit: z.string(),
  contactPhone: z.string(),
  validFrom: KbDate.nullable(),
  validTo: KbDate.nullable(),
  status: ArticleStatus,
  /** Starts at 1, bumped each time an import changes the article. */
  version: z.number().int().positive(),
  updatedAt: z.string(),
});
export type Article = z.infer<typeof Article>;

/** Words an operator or a caller uses for the same thing (停水 ~ 断水 ~ 没水). */
export const SynonymGroup = z.object({
  id: z.number().int().positive().optional(),
  terms: z
    .array(z.string().trim().min(1, '同义词不能为空').max(50))
    .min(2, '一组同义词至少两个词')
    .max(50),
  note: z.string().max(500).default(''),
});
export type SynonymGroup = z.input<typeof SynonymGroup>;

export const SearchOptions = z.object({
  limit: z.number().int().min(1).max(200).default(10),
  category: z.string().max(200).optional(),
  unit: z.string().max(200).optional(),
  /** Only articles valid on this day. Absent: validity is not checked. */
  validAt: KbDate.optional(),
  /** Absent: published only. */
  status: ArticleStatus.optional(),
});
export type SearchOptions = z.input<typeof SearchOptions>;

export const SearchHit = z.object({
  id: z.number().int(),
  sourceId: z.string(),
  title: z.string(),
  /** Higher is better; comparable within one result list only. */
  score: z.number(),
  /**
   * A short excerpt of the answer as HTML-escaped text in which the matched
   * words are wrapped in `<mark>`; nothing else in it is markup.
   */
  snippet: z.string(),
  /** The title, escaped, with matched words in `<mark>`. */
  titleHighlighted: z.string(),
  category: z.string(),
  unit: z.string(),
});
export type SearchHit = z.infer<typeof SearchHit>;

export const TypeaheadHit = z.object({
  id: z.number().int(),
  sourceId: z.string(),
  title: z.string(),
});
export type TypeaheadHit = z.infer<typeof TypeaheadHit>;

// ---------------------------------------------------------------- pure text

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', middot: '·', hellip: '…',
  ldquo: '“', rdquo: '”', lsquo: '‘', rsquo: '’', mdash: '—', ndash: '–', times: '×', bull: '•',
};

/** Decode HTML/XML character references; unknown named ones are kept as written. */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

/**
 * The readable text of an answer's HTML, for indexing and snippets (never for
 * display as HTML). Block elements become line breaks so words of adjacent
 * paragraphs do not run together.
 */
export function htmlToText(html: string): string {
  return decodeEntities(
    html
      .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/<\/?(p|div|br|li|tr|td|th|h[1-6]|ul|ol|table)\b[^>]*>/gi, '\n')
      .replace(/<[^>]*>/g, ''),
  )
    .replace(/[ \t\r\f\v\u00a0\u3000]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .trim();
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * Words that carry no topic in an operator's or a caller's question. They
 * are still indexed; a query simply does not ask for them. Simplified forms:
 * queries are folded before they meet this list.
 */
export const QUERY_STOPWORDS: ReadonlySet<string> = new Set(
  (
    '的 了 吗 呢 吧 啊 呀 嘛 哦 喔 噢 嗯 么 是 在 有 和 与 及 或 也 都 就 还 又 很 把 被 让 给 对 从 向 到 于 为 以 而 但 并 等 个 这 那 哪 此 其 之 ' +
    '我 我家 家里 家中 我们家 你 您 他 她 它 我们 你们 他们 咱们 自己 大家 人家 请 请问 问 问一下 想 想要 想问 要 需要 能 能不能 可以 可不可以 可否 会 应该 得 该 ' +
    '怎么 怎么办 怎样 怎么样 如何 什么 啥 为什么 为何 哪里 哪儿 哪些 哪个 哪家 何处 多少 几 是否 是不是 有没有 有无 ' +
    '一下 一个 这个 那个 这样 那样 这些 那些 还是 或者 以及 然后 现在 目前 已经 一直 就是 还有 因为 所以 如果 ' +
    '谢谢 你好 您好 喂 麻烦 帮忙 帮 告诉 知道 说 讲 问题 情况 事情 关于 相关 里 上 下 中 后 前 去 来 做 办 弄 搞 时候 ' +
    '吗？ ？ ! ！ , ， 。 、 ； ; ： : “ ” ( ) （ ）'
  ).split(/\s+/).filter(Boolean),
);

/**
 * Reading article files: the Taipei FAQ's XML, JSON and CSV. Every record is
 * validated against the shared ArticleInput schema before anything is
 * written; the first bad record refuses the whole file with its number and
 * the reason, in words an operator can act on.
 */
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { ArticleInput, type ArticleFields } from '../../shared/kb';
import { readXmlRecords, childText, XmlSyntaxError } from './xml';
import { readCsv, CsvSyntaxError } from './csv';

export type ImportFormat = 'xml' | 'json' | 'csv';

export class KbImportError extends Error {
  constructor(
    message: string,
    /** 1-based record number in the file, when the problem is in one record. */
    readonly record?: number,
  ) {
    super(message);
    this.name = 'KbImportError';
  }
}

const MAX_FILE_BYTES = 512 * 1024 * 1024;

export function formatOf(path: string, format?: string): ImportFormat {
  const f = (format ?? extname(path).slice(1)).toLowerCase();
  if (f === 'xml' || f === 'json' || f === 'csv') return f;
  throw new KbImportError(`无法识别文件格式“${format ?? extname(path) ?? ''}”：只支持 xml、json、csv`);
}

export function readArticlesFile(path: string, format?: string): ArticleFields[] {
  const fmt = formatOf(path, format);
  let text: string;
  try {
    if (statSync(path).size > MAX_FILE_BYTES) throw new KbImportError(`文件过大（超过 ${MAX_FILE_BYTES / 1024 / 1024} MB）`);
    text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(path));
  } catch (e) {
    if (e instanceof TypeError) throw new KbImportError('文件不是有效的 UTF-8 编码');
    if (e instanceof KbImportError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new KbImportError(code === 'ENOENT' ? `文件不存在：${path}` : `无法读取文件 ${path}：${(e as Error).message}`);
  }
  return parseArticles(text, fmt);
}

export function parseArticles(text: string, format: ImportFormat): ArticleFields[] {
  const raw = format === 'xml' ? fromFaqXml(text) : format === 'json' ? fromJson(text) : fromCsv(text);
  if (raw.length === 0) throw new KbImportError('文件中没有任何文章记录');
  const seen = new Map<string, number>();
  return raw.map((r, k) => {
    const parsed = ArticleInput.safeParse(r);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.');
      const sid = typeof (r as { sourceId?: unknown })?.sourceId === 'string' ? `（sourceId=${(r as { sourceId: string }).sourceId}）` : '';
      throw new KbImportError(`第 ${k + 1} 条记录${sid}${field ? `字段 ${field}` : ''}：${issue.message}`, k + 1);
    }
    const prev = seen.get(parsed.data.sourceId);
    if (prev !== undefined) {
      throw new KbImportError(`第 ${k + 1} 条记录：sourceId “${parsed.data.sourceId}” 与第 ${prev} 条重复`, k + 1);
    }
    seen.set(parsed.data.sourceId, k + 1);
    return parsed.data;
  });
}

/** The FAQ's `YYYY-MM-DD hh:mm:ss` as a validity day; blank is no date. */
function faqDate(v: string | undefined, record: number, field: string): string | null {
  const s = (v ?? '').trim();
  if (!s) return null;
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2})?)?/.exec(s);
  if (!m) throw new KbImportError(`第 ${record} 条记录：${field} “${s.slice(0, 30)}” 不是日期`, record);
  return m[1]!;
}

export function splitKeywords(s: string | undefined): string[] {
  return [...new Set((s ?? '').split(/[,，、;；|\n]+/).map((k) => k.trim()).filter(Boolean))];
}

/**
 * The FAQ has no subject category (news_class is one code for all), so the
 * category is the department (機關) that owns the answer, the part of the
 * unit's name up to its 局/處/委員會/中心/院, and the unit is the full name.
 */
export function departmentOf(unit: string): string {
  const m = /^(.*?(?:委員會|局|處|处|中心|院|所))/.exec(unit);
  return m ? m[1]! : unit;
}

function fromFaqXml(text: string): unknown[] {
  let records;
  try {
    records = readXmlRecords(text, 'data');
  } catch (e) {
    if (e instanceof XmlSyntaxError) {
      const where = e.record > 0 ? `第 ${e.record} 条记录（第 ${e.line} 行）` : `第 ${e.line} 行`;
      throw new KbImportError(`XML 格式错误，${where}：${e.reason}`, e.record || undefined);
    }
    throw e;
  }
  return records.map((el, k) => {
    const n = k + 1;
    const unit = (childText(el, 'deptName') ?? '').trim();
    const sourceId = (childText(el, 'data_id') ?? '').trim();
    if (!sourceId) throw new KbImportError(`第 ${n} 条记录：缺少 data_id`, n);
    if (!(childText(el, 'news_title') ?? '').trim()) throw new KbImportError(`第 ${n} 条记录（data_id=${sourceId}）：缺少标题 news_title`, n);
    return {
      sourceId,
      title: (childText(el, 'news_title') ?? '').trim(),
      answerHtml: (childText(el, 'news_content') ?? '').trim(),
      keywords: splitKeywords(childText(el, 'keyword')),
      category: departmentOf(unit),
      unit,
      contactPhone: (childText(el, 'contact_phone') ?? '').trim(),
      validFrom: faqDate(childText(el, 'start_date'), n, 'start_date'),
      validTo: faqDate(childText(el, 'end_date'), n, 'end_date'),
      status: 'published',
    };
  });
}

function fromJson(text: string): unknown[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new KbImportError(`JSON 格式错误：${(e as Error).message}`);
  }
  const list = Array.isArray(data) ? data : (data as { articles?: unknown })?.articles;
  if (!Array.isArray(list)) throw new KbImportError('JSON 文件应为文章数组，或 {"articles": [...]}');
  return list.map((r, k) => {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new KbImportError(`第 ${k + 1} 条记录：不是对象`, k + 1);
    const rec = r as Record<string, unknown>;
    // Keywords may come as one comma-separated string, as in the FAQ.
    return typeof rec.keywords === 'string' ? { ...rec, keywords: splitKeywords(rec.keywords) } : rec;
  });
}

const CSV_COLUMNS = ['sourceId', 'title', 'answerHtml', 'keywords', 'category', 'unit', 'contactPhone', 'validFrom', 'validTo', 'status'];

function fromCsv(text: string): unknown[] {
  let table;
  try {
    table = readCsv(text);
  } catch (e) {
    if (e instanceof CsvSyntaxError) {
      throw new KbImportError(e.record > 0 ? `CSV 格式错误，第 ${e.record} 条记录：${e.reason}` : `CSV 格式错误：${e.reason}`, e.record || undefined);
    }
    throw e;
  }
  const unknown = table.header.filter((h) => !CSV_COLUMNS.includes(h));
  if (unknown.length) throw new KbImportError(`CSV 表头有未知列：${unknown.join('、')}（可用列：${CSV_COLUMNS.join(', ')}）`);
  for (const required of ['sourceId', 'title']) {
    if (!table.header.includes(required)) throw new KbImportError(`CSV 表头缺少必需列 ${required}`);
  }
  return table.rows.map((cells) => {
    const rec: Record<string, unknown> = {};
    table.header.forEach((h, k) => {
      const v = cells[k] ?? '';
      if (h === 'keywords') rec[h] = splitKeywords(v);
      else if (h === 'validFrom' || h === 'validTo') rec[h] = v.trim() === '' ? null : v.trim();
      else if (h === 'status') {
        if (v.trim()) rec[h] = v.trim();
      } else rec[h] = v;
    });
    return rec;
  });
}

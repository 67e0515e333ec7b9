/**
 * RFC 4180 CSV: comma separated, fields optionally in double quotes, a quote
 * inside a quoted field doubled, line breaks allowed inside quotes. The first
 * row names the columns. A row with the wrong number of fields or an
 * unterminated quote is an error naming its record number (1 = first row
 * after the header).
 */

export class CsvSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly record: number,
  ) {
    super(reason);
  }
}

export function readCsv(text: string): { header: string[]; rows: string[][] } {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  let i = 0;
  const n = text.length;
  const endField = () => {
    row.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRow = () => {
    endField();
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
  };
  while (i < n) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        const next = text[i];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          throw new CsvSyntaxError('引号结束后紧跟了其他字符', Math.max(rows.length, 1));
        }
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      if (fieldStarted || field) throw new CsvSyntaxError('字段中间出现未转义的引号', Math.max(rows.length, 1));
      quoted = true;
      fieldStarted = true;
      i++;
    } else if (c === ',') {
      endField();
      i++;
    } else if (c === '\r' || c === '\n') {
      endRow();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      field += c;
      fieldStarted = true;
      i++;
    }
  }
  if (quoted) throw new CsvSyntaxError('引号未闭合（文件不完整？）', Math.max(rows.length, 1));
  if (field || fieldStarted || row.length) endRow();
  const header = rows.shift();
  if (!header) throw new CsvSyntaxError('文件为空，缺少表头', 0);
  const cleanHeader = header.map((h) => h.trim());
  rows.forEach((r, k) => {
    if (r.length !== cleanHeader.length) {
      throw new CsvSyntaxError(`有 ${r.length} 个字段，表头有 ${cleanHeader.length} 个`, k + 1);
    }
  });
  return { header: cleanHeader, rows };
}

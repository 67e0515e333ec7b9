import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KbImportError } from '../../../src/host/kb/index';
import { openConsoleDb, tempDir } from './helpers';

const faqRecord = (id: string, title: string, content = '答案內容', extra = '') =>
  `<data><deptName>臺北市政府社會局老人福利科</deptName><data_id>${id}</data_id><news_title>${title}</news_title>` +
  `<news_content>${content}</news_content><keyword>敬老,愛心</keyword><contact_phone>1999</contact_phone>` +
  `<start_date>2015-01-06 09:19:00</start_date><end_date>2100-10-21 23:59:00</end_date>${extra}</data>`;
const faqXml = (...records: string[]) => `<?xml version="1.0" encoding="UTF-8"?><xmlmessage><datas>${records.join('')}</datas></xmlmessage>`;

function file(name: string, text: string): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

function importError(f: () => unknown): KbImportError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(KbImportError);
    return e as KbImportError;
  }
  throw new Error('expected the import to be refused');
}

describe('importing articles', () => {
  it('reads the FAQ shape: source id kept, HTML answer unescaped once, unit, department as category, validity days', () => {
    const { kb } = openConsoleDb();
    const r = kb.importFile(file('faq.xml', faqXml(faqRecord('GIP_1', '敬老卡如何申請？', '&lt;p&gt;請洽&lt;a href="x"&gt;區公所&lt;/a&gt; &amp;amp; 里辦公處&lt;/p&gt;'))));
    expect(r).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
    const a = kb.getArticleBySourceId('GIP_1')!;
    expect(a).toMatchObject({
      sourceId: 'GIP_1',
      title: '敬老卡如何申請？',
      answerHtml: '<p>請洽<a href="x">區公所</a> &amp; 里辦公處</p>',
      keywords: ['敬老', '愛心'],
      unit: '臺北市政府社會局老人福利科',
      category: '臺北市政府社會局',
      contactPhone: '1999',
      validFrom: '2015-01-06',
      validTo: '2100-10-21',
      status: 'published',
      version: 1,
    });
  });

  it('refuses a malformed XML file whole, naming the record, and changes nothing', () => {
    const { kb, db } = openConsoleDb();
    kb.importFile(file('ok.xml', faqXml(faqRecord('GIP_1', '原來的標題'))));
    const broken = faqXml(faqRecord('GIP_1', '改過的標題'), faqRecord('GIP_2', '第二篇'), '<data><data_id>GIP_3</data_id><news_title>壞的</news_titel></data>');
    const e = importError(() => kb.importFile(file('broken.xml', broken)));
    expect(e.record).toBe(3);
    expect(e.message).toMatch(/第 3 条记录/);
    expect(e.message).toMatch(/news_title/);
    expect(kb.getArticleBySourceId('GIP_1')!.title).toBe('原來的標題');
    expect(kb.getArticleBySourceId('GIP_2')).toBeUndefined();
    expect(db.prepare('SELECT count(*) FROM kb_articles').pluck().get()).toBe(1);
    expect(kb.search('第二篇')).toEqual([]);
  });

  it('refuses a truncated XML file and one with a record missing its title', () => {
    const { kb } = openConsoleDb();
    expect(importError(() => kb.importFile(file('cut.xml', faqXml(faqRecord('A', '一')).slice(0, -30)))).message).toMatch(/未闭合/);
    const e = importError(() => kb.importFile(file('notitle.xml', faqXml(faqRecord('A', '一'), faqRecord('B', '  ')))));
    expect(e.record).toBe(2);
    expect(e.message).toMatch(/标题/);
    expect(kb.getArticleBySourceId('A')).toBeUndefined();
  });

  it('imports JSON and CSV, and refuses a bad record with its number and reason', () => {
    const { kb } = openConsoleDb();
    const json = [
      { sourceId: 'J1', title: '停水怎麼辦', answerHtml: '<p>請撥 1999</p>', keywords: '停水,斷水', category: '供水', unit: '自來水處' },
      { sourceId: 'J2', title: '路燈不亮', validFrom: '2020-01-01', validTo: '2030-12-31' },
    ];
    expect(kb.importFile(file('a.json', JSON.stringify(json)))).toEqual({ inserted: 2, updated: 0, unchanged: 0 });
    expect(kb.getArticleBySourceId('J1')!.keywords).toEqual(['停水', '斷水']);

    const badJson = importError(() => kb.importFile(file('b.json', JSON.stringify([...json, { sourceId: 'J3', title: 'x', status: 'archived' }]))));
    expect(badJson.record).toBe(3);
    expect(badJson.message).toMatch(/status/);
    expect(importError(() => kb.importFile(file('c.json', '[{"sourceId": "J4", "title": "x"'))).message).toMatch(/JSON 格式错误/);
    expect(importError(() => kb.importFile(file('d.json', JSON.stringify([{ sourceId: 'D', title: 'a' }, { sourceId: 'D', title: 'b' }])))).message).toMatch(/重复/);
    expect(importError(() => kb.importFile(file('e.json', JSON.stringify([{ sourceId: 'E', title: 'a', validFrom: '2020-02-01', validTo: '2020-01-01' }])))).message).toMatch(/有效期/);

    const csv = 'sourceId,title,answerHtml,keywords,unit,validFrom,validTo,status\r\nC1,"計程車遺失物品","請洽""警察局""",遺失;計程車,警察局,,,published\r\nC2,公車改道,"第一行\n第二行",,,2020-01-01,,draft\r\n';
    expect(kb.importFile(file('a.csv', csv))).toEqual({ inserted: 2, updated: 0, unchanged: 0 });
    expect(kb.getArticleBySourceId('C1')!.answerHtml).toBe('請洽"警察局"');
    expect(kb.getArticleBySourceId('C2')!.status).toBe('draft');
    const short = importError(() => kb.importFile(file('b.csv', 'sourceId,title\nX1,一\nX2\n')));
    expect(short.record).toBe(2);
    expect(importError(() => kb.importFile(file('c.csv', 'sourceId,title\nX1,"未閉合\n'))).message).toMatch(/引号未闭合/);
    expect(importError(() => kb.importFile(file('d.csv', 'id,title\nX1,一\n'))).message).toMatch(/未知列/);
    expect(kb.getArticleBySourceId('X1')).toBeUndefined();
  });

  it('refuses what is not an article file at all', () => {
    const { kb } = openConsoleDb();
    expect(importError(() => kb.importFile(join(tempDir(), 'missing.xml'))).message).toMatch(/文件不存在/);
    expect(importError(() => kb.importFile(file('a.txt', 'hello'))).message).toMatch(/无法识别文件格式/);
    expect(importError(() => kb.importFile(file('empty.json', '[]'))).message).toMatch(/没有任何文章/);
    const latin1 = join(tempDir(), 'latin1.csv');
    writeFileSync(latin1, Buffer.from([0x73, 0x6f, 0x75, 0x72, 0x63, 0x65, 0x49, 0x64, 0x2c, 0x74, 0x69, 0x74, 0x6c, 0x65, 0x0a, 0x41, 0x2c, 0xe9, 0x0a]));
    expect(importError(() => kb.importFile(latin1)).message).toMatch(/UTF-8/);
  });

  it('re-importing updates changed articles with a new version and leaves unchanged ones alone', () => {
    const { kb } = openConsoleDb();
    kb.importArticles([{ sourceId: 'A', title: '垃圾車幾點來' }, { sourceId: 'B', title: '路燈不亮' }]);
    const r = kb.importArticles([{ sourceId: 'A', title: '垃圾車什麼時候來' }, { sourceId: 'B', title: '路燈不亮' }]);
    expect(r).toEqual({ inserted: 0, updated: 1, unchanged: 1 });
    expect(kb.getArticleBySourceId('A')!.version).toBe(2);
    expect(kb.getArticleBySourceId('B')!.version).toBe(1);
    expect(kb.search('几点')).toEqual([]);
    expect(kb.search('垃圾车').map((h) => h.sourceId)).toEqual(['A']);
  });
});

/**
 * A small, strict XML reader for record-shaped files (`<root><rec>…</rec>…`),
 * enough for the Taipei FAQ export and files like it: elements, text,
 * character and entity references, CDATA, comments, processing instructions.
 * No DTDs, no namespaces. Anything not well formed is an error that names the
 * record it is in, so an import can refuse the whole file precisely.
 */

export interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

export class XmlSyntaxError extends Error {
  constructor(
    readonly reason: string,
    /** 1-based number of the record element being read, 0 if before the first. */
    readonly record: number,
    readonly line: number,
  ) {
    super(reason);
  }
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXmlText(s: string, fail: (reason: string) => never): string {
  if (!s.includes('&')) return s;
  return s.replace(/&([^;&\s]{0,12});?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) fail(`未结束的实体引用“${whole.slice(0, 12)}”`);
    if (ref[0] === '#') {
      const hex = ref[1] === 'x';
      const digits = ref.slice(hex ? 2 : 1);
      const code = hex ? parseInt(digits, 16) : parseInt(digits, 10);
      if (!(hex ? /^[0-9a-fA-F]+$/ : /^\d+$/).test(digits) || !(code > 0 && code <= 0x10ffff)) fail(`无效的字符引用“${whole}”`);
      return String.fromCodePoint(code);
    }
    const v = XML_ENTITIES[ref];
    if (v === undefined) fail(`未知的实体“${whole}”`);
    return v;
  });
}

/**
 * Parse `xml` and return the elements named `recordName`, wherever they are.
 * Throws XmlSyntaxError on the first problem.
 */
export function readXmlRecords(xml: string, recordName: string): XmlElement[] {
  const records: XmlElement[] = [];
  const stack: XmlElement[] = [];
  let recordCount = 0;
  let sawRoot = false;
  let i = 0;
  const n = xml.length;

  const lineAt = (pos: number) => {
    let line = 1;
    for (let k = 0; k < pos && k < n; k++) if (xml.charCodeAt(k) === 10) line++;
    return line;
  };
  const fail = (reason: string, pos = i): never => {
    throw new XmlSyntaxError(reason, recordCount, lineAt(pos));
  };
  const appendText = (t: string) => {
    const top = stack.at(-1);
    if (top) top.text += t;
    else if (t.trim()) fail('根元素之外出现文本');
  };

  if (xml.charCodeAt(0) === 0xfeff) i = 1;
  while (i < n) {
    const lt = xml.indexOf('<', i);
    if (lt === -1) {
      appendText(decodeXmlText(xml.slice(i), (r) => fail(r)));
      break;
    }
    if (lt > i) appendText(decodeXmlText(xml.slice(i, lt), (r) => fail(r, lt)));
    i = lt;
    if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i);
      if (end === -1) fail('处理指令未结束');
      i = end + 2;
    } else if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i);
      if (end === -1) fail('注释未结束');
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', i)) {
      const end = xml.indexOf(']]>', i);
      if (end === -1) fail('CDATA 段未结束');
      if (!stack.length) fail('根元素之外出现 CDATA');
      stack.at(-1)!.text += xml.slice(i + 9, end);
      i = end + 3;
    } else if (xml.startsWith('<!', i)) {
      fail('不支持 DTD 声明');
    } else if (xml.startsWith('</', i)) {
      const end = xml.indexOf('>', i);
      if (end === -1) fail('结束标签未闭合');
      const name = xml.slice(i + 2, end).trim();
      const open = stack.pop();
      if (!open) fail(`多余的结束标签 </${name}>`);
      if (open!.name !== name) fail(`标签不匹配：<${open!.name}> 以 </${name}> 结束`);
      if (stack.length) stack.at(-1)!.children.push(open!);
      i = end + 1;
    } else {
      const end = xml.indexOf('>', i);
      if (end === -1) fail('开始标签未闭合');
      let body = xml.slice(i + 1, end);
      const selfClosing = body.endsWith('/');
      if (selfClosing) body = body.slice(0, -1);
      const m = /^([A-Za-z_][\w.-]*)(\s[\s\S]*)?$/.exec(body);
      if (!m) fail(`无效的标签 <${body.slice(0, 30)}>`);
      const name = m![1]!;
      if (m![2] && !/^(\s+[A-Za-z_][\w.:-]*\s*=\s*("[^"<]*"|'[^'<]*'))*\s*$/.test(m![2])) fail(`标签 <${name}> 的属性格式错误`);
      if (!stack.length) {
        if (sawRoot) fail('出现第二个根元素');
        sawRoot = true;
      }
      const el: XmlElement = { name, children: [], text: '' };
      if (name === recordName) {
        recordCount++;
        records.push(el);
      }
      if (selfClosing) {
        if (stack.length) stack.at(-1)!.children.push(el);
      } else {
        stack.push(el);
      }
      i = end + 1;
    }
  }
  if (stack.length) fail(`元素 <${stack.at(-1)!.name}> 未闭合（文件不完整？）`, n);
  if (!sawRoot) fail('不是 XML 文件：没有根元素', 0);
  return records;
}

/** Text of the first child named `name`, or undefined when there is none. */
export function childText(el: XmlElement, name: string): string | undefined {
  return el.children.find((c) => c.name === name)?.text;
}

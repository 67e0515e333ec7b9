import { ESLint } from 'eslint';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

async function layerErrors(file: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'qingyu/layers').map((m) => m.message);
}

describe('the layer rule of ARCHITECTURE.md', () => {
  it('fails a renderer file that imports the console host', async () => {
    const errors = await layerErrors('renderer/src/Bad.ts', "import { ConsoleHost } from '../../src/host/host';\nexport const x = ConsoleHost;\n");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("'renderer' may not import 'src/host'");
  });

  it.each([
    ['src/shared/x.ts', "import { a } from '../host/host';", 'src/host'],
    ['src/shared/x.ts', "import { a } from '../phone/machine';", 'src/phone'],
    ['src/host/x.ts', "import { a } from '../server/app';", 'src/server'],
    ['src/server/x.ts', "import { a } from '../host/host';", 'src/host'],
    ['src/phone/x.ts', "import { a } from '../../renderer/src/store';", 'renderer'],
    ['electron/x.ts', "import { a } from '../renderer/src/store';", 'renderer'],
    ['src/host/x.ts', "export { a } from '../server/app';", 'src/server'],
    ['src/host/x.ts', "const m = await import('../server/app');", 'src/server'],
  ])('fails %s importing %s', async (file, code, target) => {
    const errors = await layerErrors(file, code + '\nexport {};\n');
    expect(errors.join('\n')).toContain(`may not import '${target}'`);
  });

  it.each([
    ['src/shared/x.ts', "import fs from 'node:fs';"],
    ['src/phone/x.ts', "import Database from 'better-sqlite3';"],
    ['renderer/src/x.ts', "import fastify from 'fastify';"],
    ['renderer/src/x.ts', "import { ipcRenderer } from 'electron';"],
  ])('keeps Node out of browser-side %s: %s', async (file, code) => {
    const errors = await layerErrors(file, code + '\nexport {};\n');
    expect(errors.join('\n')).toContain('runs outside Node');
  });

  it.each([
    ['renderer/src/x.ts', "import { hostApi } from '../../src/shared/host-api';\nimport { Softphone } from '../../src/phone/softphone';"],
    ['electron/x.ts', "import { ConsoleHost } from '../src/host/host';"],
    ['src/host/x.ts', "import fs from 'node:fs';\nimport { CallRecord } from '../shared/call-record';"],
    ['tests/x.ts', "import { buildServer } from '../src/server/app';\nimport { ConsoleHost } from '../src/host/host';"],
  ])('allows %s to import what the table lists', async (file, code) => {
    expect(await layerErrors(file, code + '\nexport {};\n')).toEqual([]);
  });
});

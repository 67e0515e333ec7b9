/**
 * A console killed mid-call loses nothing typed: the console host runs as its
 * own process (browser mode, as `npm start` runs it), the operator types a
 * ticket, the host is killed with SIGKILL one second after the last key, and
 * after a restart the draft holds everything typed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/main';
import { launchChromium } from '../support/browser';
import { ensureRendererBuilt } from '../support/console';
import { REPO_ROOT } from '../support/rig';
import { tempDir } from '../support/tmp';

let tmp: ReturnType<typeof tempDir>;
let server: RunningServer;
let browser: Browser;
let page: Page;
let hostProc: ChildProcess | null = null;
let port = 0;
const token = randomBytes(16).toString('hex');
const dbPath = () => path.join(tmp.dir, 'console', 'console.db');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

/** Start the console host process; resolves with its URL once it says it is ready. */
async function startHost(): Promise<string> {
  const rendererDir = await ensureRendererBuilt();
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src/host/browser/main.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, QINGYU_SERVER_URL: server.url, QINGYU_CONSOLE_DB: dbPath(), QINGYU_CONSOLE_PORT: String(port), QINGYU_RENDERER_DIR: rendererDir, QINGYU_CONSOLE_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  hostProc = proc;
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /ready: (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    proc.on('exit', (code) => reject(new Error(`console host exited (${code}): ${out}`)));
  });
}

function kill9(): Promise<void> {
  const proc = hostProc!;
  hostProc = null;
  return new Promise((resolve) => {
    proc.removeAllListeners('exit');
    proc.on('exit', () => resolve());
    proc.kill('SIGKILL');
  });
}

beforeAll(async () => {
  tmp = tempDir('qingyu-e2e-crash-');
  server = await startServer({ port: 0, dataDir: path.join(tmp.dir, 'server'), print: () => {} });
  port = await freePort();
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'zh-CN' })).newPage();
});

afterAll(async () => {
  if (hostProc) await kill9();
  await browser?.close().catch(() => {});
  await server?.close().catch(() => {});
  tmp?.cleanup();
});

const NAME = '周女士';
const ADDRESS = '南洲路88号2栋';
const DESCRIPTION = '小区门口的路灯坏了半个月，晚上很黑，老人出门不安全，请尽快修复。最后这句是被杀前一秒打的。';

describe('the console host is killed while a ticket is being typed', () => {
  it('the operator logs in and types a ticket', async () => {
    const url = await startHost();
    await page.goto(url);
    await page.getByTestId('login-username').fill('op1001');
    await page.getByTestId('login-password').fill('qingyu-1001');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('ticket-form').waitFor({ timeout: 15_000 });
    await page.keyboard.press('Alt+T');
    await page.keyboard.type(NAME);
    await page.getByTestId('ticket-address').focus();
    await page.keyboard.type(ADDRESS);
    await page.getByTestId('ticket-description').focus();
    await page.keyboard.type(DESCRIPTION);
  });

  it('SIGKILL one second after the last key; after a restart the draft holds everything typed', async () => {
    await page.waitForTimeout(1000);
    await kill9();
    // The file as the killed process left it.
    const db = new Database(dbPath(), { readonly: true });
    const rows = db.prepare('SELECT data FROM ticket_drafts').all() as { data: string }[];
    db.close();
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]!.data)).toMatchObject({ callerName: NAME, address: ADDRESS, description: DESCRIPTION });

    const url = await startHost();
    await page.goto(url);
    await page.getByTestId('ticket-restored').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('ticket-caller-name').inputValue()).toBe(NAME);
    expect(await page.getByTestId('ticket-address').inputValue()).toBe(ADDRESS);
    expect(await page.getByTestId('ticket-description').inputValue()).toBe(DESCRIPTION);
  });
});

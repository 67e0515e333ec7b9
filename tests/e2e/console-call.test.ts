/**
 * The walking skeleton, end to end, on real components inside `unshare --net`:
 * Kamailio, the central server (PGlite), the console host in browser mode and
 * Debian's Chromium with fake media. A citizen's call reaches the operator.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/main';
import { BareUa, stopUaServer } from '../support/bare-ua';
import { launchChromium, newPhoneContext } from '../support/browser';
import { startConsole, type RunningConsole } from '../support/console';
import { REPO_ROOT, startPbx, type Pbx } from '../support/rig';
import { tempDir } from '../support/tmp';

export const SCREENSHOT_IN_CALL = path.join(REPO_ROOT, 'docs', 'screenshots', 'console-in-call.png');
const CALLER = '13800138000';

let tmp: ReturnType<typeof tempDir>;
let pbx: Pbx;
let server: RunningServer;
let consoleApp: RunningConsole;
let browser: Browser;
let page: Page;
let caller: BareUa;

beforeAll(async () => {
  tmp = tempDir('qingyu-e2e-');
  pbx = await startPbx({ workDir: path.join(tmp.dir, 'pbx') });
  server = await startServer({ port: 0, dataDir: path.join(tmp.dir, 'server'), sipWsServer: pbx.wsUrl, sipDomain: pbx.domain, print: () => {} });
  consoleApp = await startConsole({ dbPath: path.join(tmp.dir, 'console', 'console.db'), serverUrl: server.url });
  browser = await launchChromium();
  const operatorContext = await newPhoneContext(browser, { viewport: { width: 1440, height: 860 }, locale: 'zh-CN' });
  page = await operatorContext.newPage();
  caller = await BareUa.open(await newPhoneContext(browser), { uri: `sip:${CALLER}@${pbx.domain}`, wsServer: pbx.wsUrl, displayName: '市民' });
});

afterAll(async () => {
  await caller?.close().catch(() => {});
  await browser?.close().catch(() => {});
  await stopUaServer().catch(() => {});
  await consoleApp?.stop().catch(() => {});
  await server?.close().catch(() => {});
  await pbx?.stop().catch(() => {});
  tmp?.cleanup();
});

async function consoleAudio(): Promise<{ bytesSent: number; bytesReceived: number } | null> {
  return page.evaluate(() => (window as any).qingyuDiagnostics?.audioStats() ?? null);
}

describe('a citizen calls the hotline and an operator answers', () => {
  it('a wrong password is refused in Chinese and the console stays on the login page', async () => {
    await page.goto(consoleApp.mode.url);
    await page.getByTestId('login-username').fill('op1001');
    await page.getByTestId('login-password').fill('wrong-password');
    await page.getByTestId('login-submit').click();
    await expectText(page.getByTestId('login-error'), '用户名或密码错误');
    expect(await consoleApp.host.call('session.current', {})).toBeNull();
  });

  it('the operator logs in and the softphone registers with the PBX', async () => {
    await page.getByTestId('login-password').fill('qingyu-1001');
    await page.getByTestId('login-submit').click();
    await page.locator('[data-testid=registration][data-state=registered]').waitFor({ timeout: 15_000 });
    expect(await pbx.registrations()).toMatch(/AoR: 1001\b/);
    expect(await page.getByTestId('operator-name').textContent()).toContain('王小明');
  });

  it('the call rings at the console with the caller’s number, and F2 answers it with audio both ways', async () => {
    await caller.register();
    await caller.call(`sip:1001@${pbx.domain}`);
    await expectText(page.getByTestId('incoming-number'), CALLER);
    await expectText(page.getByTestId('caller-number'), CALLER);

    await page.keyboard.press('F2');
    await page.locator('[data-testid=call-area][data-phase=in_call]').waitFor({ timeout: 10_000 });
    await caller.waitFor('established', 10_000);

    await caller.waitForAudioFlow({ minBytes: 2000, timeoutMs: 8000 });
    const before = await consoleAudio();
    await page.waitForTimeout(1500);
    const after = await consoleAudio();
    expect(before && after).toBeTruthy();
    expect(after!.bytesSent - before!.bytesSent).toBeGreaterThan(1000);
    expect(after!.bytesReceived - before!.bytesReceived).toBeGreaterThan(1000);

    await page.getByTestId('call-timer').waitFor();
    await page.screenshot({ path: SCREENSHOT_IN_CALL });
  });

  it('the caller hangs up; the console is idle again and the call record is in SQLite and on the server', async () => {
    await caller.hangup();
    await page.locator('[data-testid=call-area][data-phase=ended]').waitFor({ timeout: 10_000 });

    await page.locator('[data-testid=call-history-item][data-synced=true]').first().waitFor({ timeout: 15_000 });
    const local = consoleApp.host.db.prepare('SELECT * FROM call_records').all() as any[];
    expect(local).toHaveLength(1);
    expect(local[0]).toMatchObject({ caller_number: CALLER, outcome: 'answered', direction: 'inbound' });
    expect(local[0].answered_at).not.toBeNull();

    const { rows } = await server.db.query<any>('SELECT id, caller_number, outcome FROM call_records');
    expect(rows).toEqual([{ id: local[0].id, caller_number: CALLER, outcome: 'answered' }]);
    expect(consoleApp.host.db.prepare(`SELECT status FROM outbox WHERE name = 'recordCall'`).all()).toEqual([{ status: 'sent' }]);

    // F4 clears the ended call: back to idle.
    await page.keyboard.press('F4');
    await page.locator('[data-testid=call-area][data-phase=idle]').waitFor({ state: 'attached', timeout: 5000 });
  });

  it('a click on the caller’s number in the call log calls them back', async () => {
    await page.locator(`[data-testid=click-to-dial][data-number="${CALLER}"]`).first().click();
    const incoming = await caller.waitFor('incoming', 10_000);
    expect(JSON.stringify(incoming.data)).toContain('1001');
    await caller.reject(486);
    await page.locator('[data-testid=call-area][data-phase=ended]').waitFor({ state: 'attached', timeout: 10_000 });
    await page.keyboard.press('F4');
    await page.locator('[data-testid=call-area][data-phase=idle]').waitFor({ state: 'attached', timeout: 5000 });
  });

  it('when the PBX goes away the console says so in Chinese and keeps running', async () => {
    await pbx.kill();
    await page.locator('[data-testid=registration]:not([data-state=registered])').waitFor({ timeout: 15_000 });
    await expectText(page.getByTestId('registration-error'), '电话服务器');
    expect(await page.getByTestId('operator-name').isVisible()).toBe(true);
  });

  it('when the central server goes away the console shows it is offline', async () => {
    await server.close();
    await consoleApp.host.dispatch('sync.now', {});
    await page.locator('[data-testid=sync-status][data-online=false]').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('sync-status').textContent()).toContain('离线');
  });
});

async function expectText(locator: ReturnType<Page['getByTestId']>, text: string, timeout = 10_000) {
  await locator.filter({ hasText: text }).first().waitFor({ timeout });
}

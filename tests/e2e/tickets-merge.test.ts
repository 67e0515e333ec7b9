/**
 * A repeat caller merged, not filed again, end to end on the real rig
 * (Kamailio, the server on PGlite, the console host in browser mode,
 * Chromium): the caller has an open ticket the same operator filed at another
 * workstation, and one a colleague filed. The call rings, F2 answers, the
 * operator notes what the caller says; the duplicates list offers the
 * operator's own ticket for merging and says why the colleague's cannot be;
 * Alt+M and Enter ask, the confirmation shows the ticket's number and the
 * masked phone, Enter merges. The form is cleared for the next call, the
 * ticket's history shows the repeat call, and the server's ticket has the
 * repeat event with its status unchanged.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleHost } from '../../src/host/host';
import { startServer, type RunningServer } from '../../src/server/main';
import { BareUa, stopUaServer } from '../support/bare-ua';
import { launchChromium, newPhoneContext } from '../support/browser';
import { startConsole, type RunningConsole } from '../support/console';
import { REPO_ROOT, startPbx, type Pbx } from '../support/rig';
import { tempDir } from '../support/tmp';

const CONFIRM = path.join(REPO_ROOT, 'docs', 'screenshots', 'ticket-merge-confirm.png');
const CALLER = '13912345678';
const SAID = '电梯还是没修好，今天又困了人，请尽快处理。';

let tmp: ReturnType<typeof tempDir>;
let pbx: Pbx;
let server: RunningServer;
let consoleApp: RunningConsole;
let elsewhere: ConsoleHost;
let colleague: ConsoleHost;
let browser: Browser;
let page: Page;
let caller: BareUa;
const open: { mine?: { id: string; number: string }; theirs?: { id: string; number: string } } = {};

async function fileOpenTicket(host: ConsoleHost, description: string) {
  const ref = await host.call('tickets.reference', { refresh: true });
  const town = ref.bundle.divisions.find((d) => d.level === 'town')!.code;
  const r = await host.call('tickets.create', {
    callerNumber: CALLER,
    draft: { callerName: '刘先生', callbackPhone: CALLER, requestType: '投诉', categoryId: '0101', divisionCode: town, address: '工业大道南88号', description, urgency: '一般', outcome: { kind: 'dispatched', unitId: '' } },
  });
  // A push started at login may be in flight: push until the ticket is through.
  for (let i = 0; i < 50 && (await host.call('sync.status', {})).pending > 0; i++) {
    await host.sync.syncNow();
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(await host.call('sync.status', {})).toMatchObject({ pending: 0, rejected: 0 });
  return { id: r.id, number: (await host.call('tickets.get', { id: r.id })).ticket.number! };
}

beforeAll(async () => {
  tmp = tempDir('qingyu-e2e-merge-');
  pbx = await startPbx({ workDir: path.join(tmp.dir, 'pbx') });
  server = await startServer({ port: 0, dataDir: path.join(tmp.dir, 'server'), sipWsServer: pbx.wsUrl, sipDomain: pbx.domain, print: () => {} });
  // Yesterday's ticket, filed by the same operator at another workstation, and a colleague's: both open.
  elsewhere = new ConsoleHost({ dbPath: path.join(tmp.dir, 'elsewhere.db'), serverUrl: server.url, transport: 'browser' });
  await elsewhere.call('session.login', { username: 'op1001', password: 'qingyu-1001' });
  open.mine = await fileOpenTicket(elsewhere, '小区电梯停运三天，物业不处理');
  colleague = new ConsoleHost({ dbPath: path.join(tmp.dir, 'colleague.db'), serverUrl: server.url, transport: 'browser' });
  await colleague.call('session.login', { username: 'op1002', password: 'qingyu-1002' });
  open.theirs = await fileOpenTicket(colleague, '楼道灯坏了');

  consoleApp = await startConsole({ dbPath: path.join(tmp.dir, 'console', 'console.db'), serverUrl: server.url });
  browser = await launchChromium();
  page = await (await newPhoneContext(browser, { viewport: { width: 1440, height: 1000 }, locale: 'zh-CN' })).newPage();
  caller = await BareUa.open(await newPhoneContext(browser), { uri: `sip:${CALLER}@${pbx.domain}`, wsServer: pbx.wsUrl, displayName: '市民' });
  await caller.register();
});

afterAll(async () => {
  await caller?.close().catch(() => {});
  await browser?.close().catch(() => {});
  await stopUaServer().catch(() => {});
  await consoleApp?.stop().catch(() => {});
  await elsewhere?.close().catch(() => {});
  await colleague?.close().catch(() => {});
  await server?.close().catch(() => {});
  await pbx?.stop().catch(() => {});
  tmp?.cleanup();
});

async function focused(): Promise<string | null> {
  return page.evaluate(() => document.activeElement?.closest('[data-testid]')?.getAttribute('data-testid') ?? null);
}

describe('a repeat caller’s call is merged into their open ticket', () => {
  it('logs in; the operator’s own ticket from the other workstation arrives with the pull', async () => {
    await page.goto(consoleApp.mode.url);
    await page.getByTestId('login-username').fill('op1001');
    await page.getByTestId('login-password').fill('qingyu-1001');
    await page.getByTestId('login-submit').click();
    await page.locator('[data-testid=registration][data-state=registered]').waitFor({ timeout: 15_000 });
    await expect.poll(() => consoleApp.host.db.prepare('SELECT server_snapshot IS NOT NULL AS pulled FROM tickets WHERE id = ?').get(open.mine!.id), { timeout: 15_000 }).toEqual({ pulled: 1 });
  });

  it('the call rings and is answered; the duplicates list offers the operator’s ticket and says why the colleague’s cannot take the call', async () => {
    await caller.call(`sip:1001@${pbx.domain}`);
    await page.locator('[data-testid=caller-history][data-source=server]').waitFor({ timeout: 10_000 });
    await page.keyboard.press('F2');
    await page.locator('[data-testid=call-area][data-phase=in_call]').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('ticket-callback-phone').inputValue()).toBe(CALLER);
    await page.getByTestId('ticket-description').focus();
    await page.keyboard.type(SAID);

    const mine = page.locator(`[data-testid=ticket-duplicate][data-ticket-id="${open.mine!.id}"]`);
    const theirs = page.locator(`[data-testid=ticket-duplicate][data-ticket-id="${open.theirs!.id}"]`);
    await mine.waitFor({ timeout: 10_000 });
    await theirs.waitFor({ timeout: 10_000 });
    expect(await mine.getByTestId('ticket-merge').isEnabled()).toBe(true);
    expect(await theirs.getByTestId('ticket-merge').isDisabled()).toBe(true);
    expect(await theirs.getByTestId('ticket-merge-blocked').textContent()).toContain('由其他话务员受理，不在本人处理范围内');
  });

  it('Alt+M reaches the merge button, Enter asks; the confirmation shows the ticket number and the masked phone; Enter merges', async () => {
    await page.keyboard.press('Alt+M');
    expect(await focused()).toBe('ticket-merge');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-ticket-id'))).toBe(open.mine!.id);
    await page.keyboard.press('Enter');
    const confirm = page.getByTestId('ticket-merge-confirm');
    await confirm.waitFor({ timeout: 5000 });
    expect(await page.getByTestId('ticket-merge-number').textContent()).toBe(open.mine!.number);
    expect(await page.getByTestId('ticket-merge-phone').textContent()).toBe('139****5678');
    const text = (await page.locator('.ant-modal').textContent()) ?? '';
    expect(text).toContain(SAID);
    expect(text).not.toContain(CALLER);
    await expect.poll(focused, { timeout: 3000 }).toBe('ticket-merge-ok');
    await page.waitForTimeout(500); // the dialog's zoom-in animation, for the screenshot
    await page.screenshot({ path: CONFIRM });
    await page.keyboard.press('Enter');

    const merged = page.getByTestId('ticket-merged');
    await merged.waitFor({ timeout: 10_000 });
    expect(await merged.textContent()).toContain(`已合并到工单 ${open.mine!.number}`);
    // The form is cleared for the next call, still bound to this call's number; no draft is left behind.
    expect(await page.getByTestId('ticket-description').inputValue()).toBe('');
    expect(await page.getByTestId('ticket-callback-phone').inputValue()).toBe(CALLER);
    // The dialog is gone once its closing animation has run.
    await expect.poll(() => page.getByTestId('ticket-merge-confirm').count(), { timeout: 3000 }).toBe(0);
    expect(consoleApp.host.db.prepare('SELECT count(*) AS n FROM ticket_drafts').get()).toEqual({ n: 0 });
    expect(consoleApp.host.db.prepare(`SELECT count(*) AS n FROM tickets WHERE origin = 'local'`).get()).toEqual({ n: 0 }); // nothing filed again
  });

  it('the server’s ticket has the repeat call with what the caller said and who took it; its status is unchanged', async () => {
    const me = (await consoleApp.host.call('session.current', {}))!;
    await expect
      .poll(async () => (await server.db.query<any>(`SELECT actor_id, detail FROM ticket_events WHERE ticket_id = $1 AND type = 'repeatCall'`, [open.mine!.id])).rows, { timeout: 15_000 })
      .toEqual([{ actor_id: me.id, detail: { callId: expect.any(String), callerNumber: CALLER, description: SAID, takenBy: me.id } }]);
    const { rows } = await server.db.query<{ status: string }>('SELECT status FROM tickets WHERE id = $1', [open.mine!.id]);
    expect(rows[0]!.status).toBe('dispatched');
    const calls = await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM tickets');
    expect(calls.rows[0]!.n).toBe(2);
  });

  it('the ticket’s history on the console shows the repeat call, masked', async () => {
    await page.getByTestId('ticket-merged-view').click();
    const repeat = page.locator('[data-testid=ticket-event][data-type=repeatCall]');
    await repeat.waitFor({ timeout: 10_000 });
    const line = (await repeat.textContent()) ?? '';
    expect(line).toContain('重复来电');
    expect(line).toContain('139****5678');
    expect(line).toContain(SAID);
    expect(line).not.toContain(CALLER);
    const labels = (await page.getByTestId('ticket-event').allTextContents()).map((e) => e.split(' ')[0]);
    expect(labels).toEqual(['受理', '派单', '重复来电']);
    await page.keyboard.press('Escape');
    await caller.hangup();
    await page.locator('[data-testid=call-area][data-phase=ended]').waitFor({ timeout: 10_000 });
  });

  it('ticket search in the drawer asks the center after the cache and says so', async () => {
    await page.keyboard.press('Alt+F');
    await page.getByTestId('ticket-search').locator('input').fill('电梯');
    await page.locator('[data-testid=ticket-search-source][data-source=server]').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('ticket-search-source').textContent()).toContain('本机 1 条 · 中心 0 条');
    expect(await page.locator(`.ant-drawer [data-testid=ticket-row][data-ticket-id="${open.mine!.id}"]`).getAttribute('data-found-on')).toBe('local');
    await page.keyboard.press('Escape');
  });
});

/**
 * Tickets at the speed of a call, end to end on the real rig (Kamailio, the
 * server on PGlite, the console host in browser mode, Chromium): a caller
 * with two earlier tickets (filed at another workstation, so only the server
 * knows them) rings; the history and the repeat flag are on screen while it
 * still rings; the operator answers and files a dispatched ticket with the
 * keyboard only; the ticket is in the console's SQLite and on the server with
 * the right unit and deadline. Then the same with the server stopped.
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

const SCREEN_POP = path.join(REPO_ROOT, 'docs', 'screenshots', 'ticket-screen-pop.png');
const FILLED = path.join(REPO_ROOT, 'docs', 'screenshots', 'ticket-filled.png');
const CALLER = '13912345678';

let tmp: ReturnType<typeof tempDir>;
let pbx: Pbx;
let server: RunningServer | null;
let serverPort = 0;
let consoleApp: RunningConsole;
let colleague: ConsoleHost;
let browser: Browser;
let page: Page;
let caller: BareUa;

async function serverUp() {
  server = await startServer({ port: serverPort, dataDir: path.join(tmp.dir, 'server'), sipWsServer: pbx.wsUrl, sipDomain: pbx.domain, print: () => {} });
  serverPort = server.port;
}

beforeAll(async () => {
  tmp = tempDir('qingyu-e2e-tickets-');
  pbx = await startPbx({ workDir: path.join(tmp.dir, 'pbx') });
  await serverUp();
  // Two earlier tickets of this caller, filed by a colleague at another workstation: only the server has them.
  colleague = new ConsoleHost({ dbPath: path.join(tmp.dir, 'colleague.db'), serverUrl: server!.url, transport: 'browser' });
  await colleague.call('session.login', { username: 'op1002', password: 'qingyu-1002' });
  const ref = await colleague.call('tickets.reference', { refresh: true });
  const town = ref.bundle.divisions.find((d) => d.level === 'town')!.code;
  const base = { callerName: '刘先生', callbackPhone: CALLER, requestType: '投诉', divisionCode: town, address: '工业大道南88号', urgency: '一般' };
  await colleague.call('tickets.create', { callerNumber: CALLER, draft: { ...base, categoryId: '0202', description: '工地夜间施工噪音扰民', outcome: { kind: 'dispatched', unitId: '' } } });
  await colleague.call('tickets.create', { callerNumber: CALLER, draft: { ...base, requestType: '咨询', categoryId: '0107', description: '咨询公积金提取', outcome: { kind: 'closed_on_call', answer: '已告知所需材料' } } });
  await colleague.sync.syncNow();
  expect(await colleague.call('sync.status', {})).toMatchObject({ pending: 0, rejected: 0 });

  consoleApp = await startConsole({ dbPath: path.join(tmp.dir, 'console', 'console.db'), serverUrl: server!.url });
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
  await colleague?.close().catch(() => {});
  await server?.close().catch(() => {});
  await pbx?.stop().catch(() => {});
  tmp?.cleanup();
});

/** The data-testid of the element (or its nearest marked ancestor) that has the keyboard focus. */
async function focused(): Promise<string | null> {
  return page.evaluate(() => document.activeElement?.closest('[data-testid]')?.getAttribute('data-testid') ?? null);
}

async function tabTo(testId: string) {
  await page.keyboard.press('Tab');
  expect(await focused()).toBe(testId);
}

/** In a select or cascader with the focus: type, wait for the list, (move,) Enter, wait for the list to close. */
async function choose(typed: string, option: string, move?: string) {
  await page.keyboard.type(typed);
  await page.locator(`${option}:visible`).first().waitFor();
  if (move) await page.keyboard.press(move);
  await page.keyboard.press('Enter');
  await page.locator('.ant-select-dropdown:visible, .ant-cascader-dropdown:visible').first().waitFor({ state: 'hidden' });
  // antd gives the focus back to the select when its closing motion ends; a Tab pressed before that is lost.
  await page.waitForTimeout(250);
}

/** Fill the ticket from the keyboard only, starting with Alt+T (focus the form). */
async function fillByKeyboard(opts: { name: string; type: string; category: string; town: string; address: string; description: string; closeWith?: string }) {
  await page.keyboard.press('Alt+T');
  expect(await focused()).toBe('ticket-caller-name');
  await page.keyboard.type(opts.name);
  await tabTo('ticket-anonymous');
  await tabTo('ticket-callback-phone'); // already the caller's number
  await tabTo('ticket-request-type');
  await choose(opts.type, '.ant-select-item-option-active');
  await tabTo('ticket-category');
  await choose(opts.category, '.ant-select-item-option-active'); // pinyin initials
  await tabTo('ticket-division');
  await choose(opts.town, '.ant-cascader-menu-item', 'ArrowDown');
  await tabTo('ticket-address');
  await page.keyboard.type(opts.address);
  await tabTo('ticket-description');
  await page.keyboard.type(opts.description);
  if (opts.closeWith) {
    await page.keyboard.press('Tab'); // urgency (一般)
    await tabTo('ticket-outcome');
    await page.keyboard.press('ArrowRight'); // 直接办结
    await tabTo('ticket-answer');
    await page.keyboard.type(opts.closeWith);
  }
}

describe('a repeat caller rings, and the operator files a ticket with the keyboard', () => {
  it('logs in', async () => {
    await page.goto(consoleApp.mode.url);
    await page.getByTestId('login-username').fill('op1001');
    await page.getByTestId('login-password').fill('qingyu-1001');
    await page.getByTestId('login-submit').click();
    await page.locator('[data-testid=registration][data-state=registered]').waitFor({ timeout: 15_000 });
    // Synced reference data: the real district, not the demo defaults.
    await page.getByTestId('ticket-saved').filter({ hasText: '海珠区' }).waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('ticket-default-ref').count()).toBe(0);
  });

  it('while it rings, the caller’s two earlier tickets and the repeat flag are on screen', async () => {
    await caller.call(`sip:1001@${pbx.domain}`);
    await page.locator('[data-testid=call-area][data-phase=ringing]').waitFor({ timeout: 10_000 });
    await page.locator('[data-testid=caller-history][data-source=server]').waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-testid=call-area]').getAttribute('data-phase')).toBe('ringing');
    const rows = page.getByTestId('caller-history').getByTestId('ticket-row');
    expect(await rows.count()).toBe(2);
    const text = await page.getByTestId('caller-history').textContent();
    expect(text).toContain('重复来电');
    expect(text).toContain('未办结工单');
    expect(text).toContain('噪声扰民');
    expect(text).toContain('139****5678'); // masked in the list
    expect(text).not.toContain(CALLER);
    await page.screenshot({ path: SCREEN_POP });
  });

  it('F2 answers; the ticket is filled and submitted from the keyboard; it is dispatched with the unit and deadline the server decides', async () => {
    await page.keyboard.press('F2');
    await page.locator('[data-testid=call-area][data-phase=in_call]').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('ticket-callback-phone').inputValue()).toBe(CALLER);

    await fillByKeyboard({ name: '刘先生', type: 'ts', category: 'zsrm', town: '赤岗', address: '赤岗路123号', description: '楼下工地又在夜间施工，噪音很大，之前反映过还没解决。' });
    // Possible duplicate: the caller's open ticket is offered while typing.
    await page.getByTestId('ticket-duplicates').waitFor({ timeout: 5000 });
    const shownDue = await page.getByTestId('ticket-deadline').getAttribute('data-due-at');
    expect(shownDue).toBeTruthy();
    expect(await page.getByTestId('ticket-unit').textContent()).toContain('（建议）');
    await page.screenshot({ path: FILLED });

    await page.keyboard.press('Control+Enter');
    await page.getByTestId('ticket-filed').waitFor({ timeout: 10_000 });
    await page.locator('[data-testid=ticket-filed][data-number^="12345-"]').waitFor({ timeout: 20_000 });
    const number = await page.getByTestId('ticket-filed').getAttribute('data-number');

    const local = consoleApp.host.db.prepare(`SELECT * FROM tickets WHERE origin = 'local'`).all() as any[];
    expect(local).toHaveLength(1);
    expect(local[0]).toMatchObject({ number, status: 'dispatched', category_id: '0202', caller_number: CALLER, callback_phone: CALLER, address: '赤岗路123号' });
    const ref = await consoleApp.host.call('tickets.reference', {});
    expect(ref.bundle.divisions.find((d) => d.code === local[0].division_code)?.name).toBe('赤岗街道');
    const { rows } = await server!.db.query<any>('SELECT number, status, assigned_unit_id, due_at, accepted_by FROM tickets WHERE id = $1', [local[0].id]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ number, status: 'dispatched', assigned_unit_id: 'unit-sthj' }); // 噪声扰民 → 生态环境分局
    expect(new Date(rows[0].due_at).toISOString()).toBe(local[0].due_at);
    // The deadline shown while typing was computed by the same rules (5 working days, end of office day).
    expect(shownDue!.slice(0, 10) <= local[0].due_at.slice(0, 10)).toBe(true);
    expect(local[0].due_at.slice(11)).toBe('10:00:00.000Z'); // 18:00 center time
  });

  it('the ticket and its history of events are found in “my tickets” and by number', async () => {
    await page.keyboard.press('Alt+F');
    await page.getByTestId('ticket-search').waitFor();
    const number = (consoleApp.host.db.prepare(`SELECT number FROM tickets WHERE origin = 'local'`).get() as { number: string }).number;
    await page.getByTestId('ticket-search').locator('input').fill(number);
    await page.locator(`.ant-drawer [data-testid=ticket-row][data-number="${number}"]`).click();
    await page.getByTestId('ticket-events').waitFor();
    const events = await page.getByTestId('ticket-event').allTextContents();
    expect(events.map((e) => e.split(' ')[0])).toEqual(['受理', '派单']);
    expect(await page.getByTestId('ticket-detail').textContent()).toContain(number);
    await page.keyboard.press('Escape');
    await caller.hangup();
    await page.locator('[data-testid=call-area][data-phase=ended]').waitFor({ timeout: 10_000 });
    // The ticket is filed: the operator ends after-call work (Alt+W) and is ready for the next call.
    await page.locator('[data-testid=agent-state][data-state=wrap_up]').waitFor({ timeout: 10_000 });
    await page.keyboard.press('Alt+W');
    await page.locator('[data-testid=agent-state][data-state=ready]').waitFor({ timeout: 10_000 });
  });

  it('with the server stopped, the next ticket waits in the outbox and arrives once when the server is back', async () => {
    await server!.close();
    server = null;
    await consoleApp.host.dispatch('sync.now', {});
    await page.locator('[data-testid=sync-status][data-online=false]').waitFor({ timeout: 15_000 });

    await caller.call(`sip:1001@${pbx.domain}`);
    await page.locator('[data-testid=call-area][data-phase=ringing]').waitFor({ timeout: 10_000 });
    // Offline, the history still comes from the console's cache (the tickets seen on the first call and the one filed).
    await page.locator('[data-testid=caller-history][data-source=local]').getByTestId('repeat-flag').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('caller-history').getByTestId('ticket-row').count()).toBe(3);
    await page.keyboard.press('F2');
    await page.locator('[data-testid=call-area][data-phase=in_call]').waitFor({ timeout: 10_000 });

    await fillByKeyboard({ name: '刘先生', type: 'zx', category: 'gjj', town: '赤岗', address: '赤岗路123号', description: '再次咨询公积金提取进度。', closeWith: '已告知可在线查询提取进度。' });
    await page.keyboard.press('Control+Enter');
    await page.getByTestId('ticket-filed').filter({ hasText: '编号待中心分配' }).waitFor({ timeout: 10_000 });
    const pending = consoleApp.host.db.prepare(`SELECT t.id, t.status, t.number, o.status AS outbox FROM tickets t JOIN outbox o ON o.id = t.id WHERE t.number IS NULL`).all() as any[];
    expect(pending).toEqual([{ id: expect.any(String), status: 'closed', number: null, outbox: 'pending' }]);
    expect(await page.getByTestId('sync-status').getAttribute('data-pending')).not.toBe('0');

    await serverUp();
    await consoleApp.host.dispatch('sync.now', {});
    await page.locator('[data-testid=ticket-filed][data-number^="12345-"]').waitFor({ timeout: 20_000 });
    const { rows } = await server!.db.query<any>('SELECT id, status FROM tickets WHERE id = $1', [pending[0].id]);
    expect(rows).toEqual([{ id: pending[0].id, status: 'closed' }]);
    await consoleApp.host.dispatch('sync.now', {});
    const all = await server!.db.query<{ n: number }>('SELECT count(*)::int AS n FROM tickets');
    expect(all.rows[0]!.n).toBe(4); // two earlier, two filed here: each once
    await caller.hangup();
  });
});

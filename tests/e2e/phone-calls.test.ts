/**
 * The softphone as an operator uses it all shift, on the real rig (Kamailio,
 * the server, the console in browser mode, Chromium with fake media, bare
 * sip.js phones as citizens and colleagues), one rig for the whole file:
 * operator states, answer, hold/resume, DTMF by SIP INFO, call waiting, blind
 * and attended transfer, a three-way conference, outbound dialling with its
 * errors, redial and click-to-dial.
 *
 *   bash tests/e2e/netns.sh npx vitest run --project e2e tests/e2e/phone-calls.test.ts
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BareUa } from '../support/bare-ua';
import { acceptReplaces, consoleAudioDelta, followRefer, peerAudioDelta, peerHeardEnergy, startPhoneRig, waitPhase, type PhoneRig } from '../support/phone-rig';
import { REPO_ROOT } from '../support/rig';

const SHOTS = path.join(REPO_ROOT, 'docs', 'screenshots');
const CITIZEN = '13800138000';
const SECOND = '13900139000';

if (process.env.QINGYU_NETNS !== '1') throw new Error('run inside the network namespace: bash tests/e2e/netns.sh npx vitest run --project e2e tests/e2e/phone-calls.test.ts');

let rig: PhoneRig;
let page: Page;
let citizen: BareUa;

beforeAll(async () => {
  rig = await startPhoneRig();
  page = rig.page;
  citizen = await rig.peer(CITIZEN, { displayName: '市民' });
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') {
    console.error(rig.pbx.logTail(40));
    console.error(citizen.describe(30));
    await page.screenshot({ path: path.join(REPO_ROOT, '.tmp', `fail-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}.png`) }).catch(() => {});
  }
});

afterAll(async () => {
  await rig?.stop();
});

async function agentState(state: string, timeout = 10_000) {
  await page.locator(`[data-testid=agent-state][data-state=${state}]`).waitFor({ timeout });
}

/** After a talked call the operator is in after-call work; Alt+W ends it (back to ready). */
/**
 * Alt+P with the mouse parked in a corner first: antd closes only the topmost
 * popup on Escape, so a tooltip that opened late under the pointer (left over a
 * click-to-dial number by an earlier test) would take the Escape meant for the
 * settings, and the next Alt+P would then close them instead of opening them.
 */
async function openSettings() {
  await page.mouse.move(1, 1);
  await page.keyboard.press('Alt+P');
  await page.getByTestId('auto-answer').waitFor();
}

async function closeSettings() {
  await page.keyboard.press('Escape');
  await page.getByTestId('auto-answer').waitFor({ state: 'detached' });
}

async function finishWrapUp() {
  await agentState('wrap_up');
  await page.keyboard.press('Alt+W');
  await agentState('ready');
}

async function callIn(from: BareUa, answer = true) {
  await from.call(`sip:1001@${rig.pbx.domain}`);
  await page.getByTestId('incoming-number').filter({ hasText: from.uri.slice(4, from.uri.indexOf('@')) }).waitFor({ timeout: 10_000 });
  if (!answer) return;
  await page.keyboard.press('F2');
  await waitPhase(page, 'in_call');
  await from.waitFor('established', 10_000);
}

async function expectTwoWayAudio(min = 1000) {
  const d = await consoleAudioDelta(page, 1500);
  expect(d.bytesSent, 'console → peer').toBeGreaterThan(min);
  expect(d.bytesReceived, 'peer → console').toBeGreaterThan(min);
}

describe('the softphone through an operator’s shift', () => {
  it('a not-ready operator is not rung: the caller gets 486 Busy Here and the state change is recorded', async () => {
    await agentState('ready');
    await page.getByTestId('agent-not-ready').click();
    await page.getByTestId('not-ready-小休').click();
    await page.locator('[data-testid=agent-state][data-state=not_ready][data-reason=小休]').waitFor();

    await citizen.call(`sip:1001@${rig.pbx.domain}`);
    const rejected = await citizen.waitFor('rejected', 10_000);
    expect(rejected.data?.status).toBe(486);
    expect(await page.getByTestId('call-area').getAttribute('data-phase')).toBe('idle');
    expect(await page.getByTestId('agent-state').getAttribute('data-state')).toBe('not_ready');

    await page.keyboard.press('Alt+R');
    await agentState('ready');
    // Recorded locally (and queued for the server) a moment later, each with its own time.
    await expect
      .poll(() => rig.consoleApp.host.db.prepare('SELECT state, reason, previous_state FROM agent_state_events ORDER BY at').all(), { timeout: 5000 })
      .toEqual(expect.arrayContaining([{ state: 'not_ready', reason: '小休', previous_state: 'ready' }, { state: 'ready', reason: null, previous_state: 'not_ready' }]));
    // …and reaches the server through the outbox.
    await expect
      .poll(async () => (await rig.server.db.query<{ state: string; reason: string | null }>(`SELECT state, reason FROM agent_state_events WHERE state = 'not_ready'`)).rows, { timeout: 15_000 })
      .toEqual([{ state: 'not_ready', reason: '小休' }]);
  });

  it('rings with the number, F2 answers with audio both ways and a quality figure; hold stops the caller’s audio, resume brings it back', async () => {
    await citizen.call(`sip:1001@${rig.pbx.domain}`);
    await page.getByTestId('incoming-number').filter({ hasText: CITIZEN }).waitFor({ timeout: 10_000 });
    await agentState('ringing');
    await page.screenshot({ path: path.join(SHOTS, 'phone-ringing.png') });

    await page.keyboard.press('F2');
    await waitPhase(page, 'in_call');
    await citizen.waitFor('established', 10_000);
    await agentState('in_call');
    await expectTwoWayAudio();
    await page.locator('[data-testid=quality][data-grade]').waitFor({ timeout: 10_000 });
    const mos = Number(await page.getByTestId('quality').getAttribute('data-mos'));
    expect(mos).toBeGreaterThan(4); // loopback: no loss, no delay
    await page.screenshot({ path: path.join(SHOTS, 'phone-in-call.png') });

    // Hold: the console offers sendonly, the caller answers recvonly — the caller stops sending.
    await page.keyboard.press('F5');
    await page.locator('[data-testid=hold][data-held=true]').waitFor();
    await page.waitForTimeout(300);
    const held = await peerAudioDelta(citizen, 1500);
    expect(held.bytesSent, 'caller → console stops on hold').toBeLessThan(200);
    const heldConsole = await consoleAudioDelta(page, 1000);
    expect(heldConsole.bytesReceived).toBeLessThan(200);

    await page.keyboard.press('F5');
    await page.locator('[data-testid=hold][data-held=false]').waitFor();
    await page.waitForTimeout(300);
    const resumed = await peerAudioDelta(citizen, 1500);
    expect(resumed.bytesSent, 'caller → console again').toBeGreaterThan(1000);
    expect(resumed.bytesReceived, 'console → caller again').toBeGreaterThan(1000);
  });

  it('DTMF by SIP INFO reaches the caller’s phone', async () => {
    await page.getByTestId('dtmf-open').click();
    await page.getByTestId('dtmf-mode').click();
    await page.locator('[data-testid=dtmf-mode][data-mode=info]').waitFor();
    await page.getByTestId('dtmf-key-5').click();
    await page.getByTestId('dtmf-key-#').click();
    const five = await citizen.waitFor('info-received', 5000);
    const hash = await citizen.waitFor('info-received', 5000);
    expect(five.data?.contentType).toBe('application/dtmf-relay');
    expect(String(five.data?.body)).toContain('Signal=5');
    expect(String(hash.data?.body)).toContain('Signal=#');
    await page.keyboard.press('Alt+K'); // close the keypad
  });

  it('a second caller waits while the operator talks; answering it holds the first; when it ends, the first comes back', async () => {
    const second = await rig.peer(SECOND, { displayName: '第二位市民' });
    await second.call(`sip:1001@${rig.pbx.domain}`);
    await page.getByTestId('incoming-number').filter({ hasText: `呼叫等待：${SECOND}` }).waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-testid=line]').count()).toBe(2);
    expect(await page.getByTestId('call-area').getAttribute('data-phase')).toBe('in_call'); // the first call keeps the focus

    await page.keyboard.press('F2');
    await second.waitFor('established', 10_000);
    await page.locator(`[data-testid=line][data-held=true]`).filter({ hasText: CITIZEN }).waitFor();
    await page.getByTestId('in-call').filter({ hasText: SECOND }).waitFor();
    await expectTwoWayAudio();

    await second.hangup();
    await page.getByTestId('in-call').filter({ hasText: CITIZEN }).waitFor();
    expect(await page.getByTestId('in-call').getAttribute('data-held')).toBe('true');
    await page.keyboard.press('F5');
    await page.locator('[data-testid=hold][data-held=false]').waitFor();
    await expectTwoWayAudio();
  });

  it('blind transfer: the caller ends up talking with the colleague, the operator is free', async () => {
    const colleague = await rig.peer('1003', { displayName: '同事', autoAnswerMs: 200 });
    await followRefer(citizen);
    await page.keyboard.press('F7');
    await page.getByTestId('transfer-input').fill('1003');
    await page.getByTestId('transfer-blind').click();

    await page.getByTestId('call-ended').waitFor({ timeout: 10_000 });
    const incoming = await colleague.waitFor('incoming', 10_000);
    expect(incoming.data?.fromUser).toBe(CITIZEN);
    await colleague.waitFor('established', 10_000);
    await colleague.waitForAudioFlow({ minBytes: 2000, timeoutMs: 8000 });
    await citizen.waitForAudioFlow({ minBytes: 2000, timeoutMs: 8000 });
    await citizen.hangup();
    await colleague.waitFor('terminated', 10_000);
    await finishWrapUp();
  });

  it('attended transfer: consult the colleague with the caller on hold, cancel once, then complete; caller and colleague talk', async () => {
    await callIn(citizen);
    const colleague = await rig.peer('1004', { displayName: '专家坐席', autoAnswerMs: 200 });
    await acceptReplaces(colleague);

    // Consult, then change one's mind: the caller comes back.
    await page.keyboard.press('F8');
    await page.getByTestId('transfer-input').fill('1004');
    await page.getByTestId('transfer-consult').click();
    await colleague.waitFor('established', 10_000);
    await page.getByTestId('in-call').filter({ hasText: '咨询中' }).waitFor();
    await page.keyboard.press('Alt+Backspace');
    await colleague.waitFor('terminated', 10_000);
    await page.locator('[data-testid=hold][data-held=false]').waitFor();
    await expectTwoWayAudio();

    // Consult again and complete.
    await followRefer(citizen);
    await page.keyboard.press('F8');
    await page.getByTestId('transfer-input').fill('1004');
    await page.getByTestId('transfer-consult').click();
    await colleague.waitFor('established', 10_000);
    await page.getByTestId('transfer-complete').waitFor();
    await expectTwoWayAudio(); // operator ↔ colleague
    await page.screenshot({ path: path.join(SHOTS, 'phone-transfer.png') });
    await page.keyboard.press('Alt+Enter');

    const replaced = await colleague.waitFor('incoming', 10_000, (e) => e.data?.replaces === true);
    expect(replaced.data?.fromUser).toBe(CITIZEN);
    await waitPhase(page, 'ended', 10_000);
    await colleague.waitForAudioFlow({ minBytes: 2000, timeoutMs: 8000 });
    await citizen.waitForAudioFlow({ minBytes: 2000, timeoutMs: 8000 });
    await citizen.hangup();
    await finishWrapUp();
  });

  it('three-way conference mixed in the console: with the operator muted, the caller hears the colleague and the colleague the caller', async () => {
    await callIn(citizen);
    const colleague = await rig.peer('1005', { displayName: '联动单位', autoAnswerMs: 200 });
    await page.keyboard.press('F8');
    await page.getByTestId('transfer-input').fill('1005');
    await page.getByTestId('transfer-consult').click();
    await colleague.waitFor('established', 10_000);
    await page.getByTestId('conference').waitFor();

    // Control: operator muted, caller on hold — the caller hears nothing.
    await page.keyboard.press('F6');
    await page.locator('[data-testid=mute][data-muted=true]').waitFor();
    await page.waitForTimeout(500);
    const quiet0 = await peerHeardEnergy(citizen);
    await page.waitForTimeout(2500);
    const quiet = (await peerHeardEnergy(citizen)) - quiet0;

    await page.keyboard.press('F9');
    await page.locator('[data-testid=call-area][data-conference=true]').waitFor();
    await page.locator('[data-testid=mute][data-muted=true]').waitFor();
    await page.waitForTimeout(500);
    const [c0, k0] = [await peerHeardEnergy(citizen), await peerHeardEnergy(colleague)];
    await page.waitForTimeout(2500);
    const [c1, k1] = [await peerHeardEnergy(citizen), await peerHeardEnergy(colleague)];
    expect(c1 - c0, 'the caller hears the colleague').toBeGreaterThan(Math.max(1e-4, quiet * 20));
    expect(k1 - k0, 'the colleague hears the caller').toBeGreaterThan(1e-4);
    // And the operator hears both.
    const d = await consoleAudioDelta(page, 1000);
    expect(d.bytesReceived).toBeGreaterThan(500);

    await colleague.hangup();
    await page.locator('[data-testid=call-area][data-conference=false]').waitFor();
    await citizen.hangup();
    await finishWrapUp();
  });

  it('outbound: the dial pad calls a number; busy and unknown numbers are told in Chinese; redial and click-to-dial work', async () => {
    const since = new Date().toISOString();
    const callee = await rig.peer('1006', { autoAnswerMs: 200 });
    await page.keyboard.press('F3');
    await page.keyboard.type('1006');
    await page.keyboard.press('Enter');
    await callee.waitFor('established', 10_000);
    await waitPhase(page, 'in_call');
    await expectTwoWayAudio();
    await page.keyboard.press('F4');
    await callee.waitFor('terminated', 10_000);
    await finishWrapUp();

    await page.getByTestId('dial-input').fill('1999');
    await page.getByTestId('dial-button').click();
    await page.getByTestId('call-ended').filter({ hasText: '号码不存在' }).waitFor({ timeout: 10_000 });
    await page.keyboard.press('F4');

    const busy = await rig.peer('1007');
    await page.getByTestId('dial-input').fill('1007');
    await page.getByTestId('dial-button').click();
    await busy.waitFor('incoming', 10_000);
    await busy.reject(486);
    await page.getByTestId('call-ended').filter({ hasText: '对方忙' }).waitFor({ timeout: 10_000 });
    await page.keyboard.press('F4');
    expect(await page.getByTestId('registration').getAttribute('data-state')).toBe('registered');

    // Redial: the last number again.
    await page.keyboard.press('Alt+D');
    await busy.waitFor('incoming', 10_000);
    await busy.reject(486);
    await page.getByTestId('call-ended').filter({ hasText: '对方忙' }).waitFor({ timeout: 10_000 });
    await page.keyboard.press('F4');

    // Click-to-dial from the call log.
    const entry = page.locator(`[data-testid=click-to-dial][data-number="1006"]`).first();
    await entry.waitFor({ timeout: 10_000 });
    await entry.click();
    await callee.waitFor('established', 10_000);
    await waitPhase(page, 'in_call');
    await page.keyboard.press('F4');
    await finishWrapUp();

    // Every call is in the log with its quality figures when it had media.
    const rows = rig.consoleApp.host.db.prepare(`SELECT direction, callee_number, outcome, quality FROM call_records WHERE direction = 'outbound' AND started_at >= ? ORDER BY started_at`).all(since) as any[];
    expect(rows.map((r) => [r.callee_number, r.outcome])).toEqual([
      ['1006', 'answered'],
      ['1999', 'failed'],
      ['1007', 'failed'],
      ['1007', 'failed'],
      ['1006', 'answered'],
    ]);
    expect(JSON.parse(rows[0].quality).mos).toBeGreaterThan(4);
  });

  it('auto-answer, switched on in the phone settings, answers the next call by itself after a short tone', async () => {
    await openSettings();
    await page.getByTestId('auto-answer').click();
    await page.locator('[data-testid=auto-answer][aria-checked=true]').waitFor();
    await closeSettings();
    await citizen.call(`sip:1001@${rig.pbx.domain}`);
    await citizen.waitFor('established', 10_000); // nobody pressed F2
    await waitPhase(page, 'in_call');
    await citizen.hangup();
    await finishWrapUp();
    await openSettings();
    await page.getByTestId('auto-answer').click();
    await page.locator('[data-testid=auto-answer][aria-checked=false]').waitFor();
    await closeSettings();
  });

  it('F1 lists every shortcut', async () => {
    await page.keyboard.press('F1');
    await page.getByTestId('shortcut-help').waitFor();
    expect(await page.getByTestId('shortcut-row').count()).toBeGreaterThanOrEqual(19);
    expect(await page.getByTestId('shortcut-help').textContent()).toContain('保持 / 恢复');
    await page.keyboard.press('Escape');
  });
});

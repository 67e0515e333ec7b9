// The telephony rig end to end: Kamailio (+ rtpengine), sip.js in headless Chromium, sipp.
// Run inside a network namespace:
//   bash tests/e2e/netns.sh npx vitest run --project e2e tests/e2e/rig.test.ts
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium, newPhoneContext } from '../support/browser';
import { BareUa, stopUaServer } from '../support/bare-ua';
import { runSipp, startPbx, type Pbx } from '../support/rig';

const CITIZEN = '13800138000';
const OPERATOR = '1001';

/** Timings measured by this file, printed at the end. */
const measured: Record<string, number> = {};

function ms(a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined) return NaN;
  return Math.round((b - a) * 10) / 10;
}

if (process.env.QINGYU_NETNS !== '1') {
  throw new Error('tests/e2e/rig.test.ts must run inside the network namespace: bash tests/e2e/netns.sh npx vitest run --project e2e tests/e2e/rig.test.ts');
}

let browser: Browser;
const contexts: BrowserContext[] = [];
const uas: BareUa[] = [];
const pbxes: Pbx[] = [];
let currentPbx: Pbx | undefined;

async function openUa(pbx: Pbx, user: string, displayName?: string): Promise<BareUa> {
  const context = await newPhoneContext(browser);
  contexts.push(context);
  const ua = await BareUa.open(context, { uri: `sip:${user}@${pbx.domain}`, wsServer: pbx.wsUrl, displayName });
  uas.push(ua);
  return ua;
}

async function closeParties(): Promise<void> {
  for (const ua of uas.splice(0)) await ua.close();
  for (const c of contexts.splice(0)) await c.close().catch(() => {});
}

beforeAll(async () => {
  browser = await launchChromium();
});

afterEach(async (ctx) => {
  // On failure, Kamailio's (and rtpengine's) log tail goes to the output.
  if (ctx.task.result?.state === 'fail' && currentPbx) {
    console.error(`\n==== PBX logs for failed test "${ctx.task.name}" ====\n${currentPbx.logTail(80)}`);
    for (const ua of uas) console.error(ua.describe(40));
  }
  await closeParties();
  if (currentPbx) await currentPbx.stop();
  currentPbx = undefined;
});

afterAll(async () => {
  await closeParties();
  for (const p of pbxes) await p.stop();
  await browser?.close();
  await stopUaServer();
  console.log('rig timings (ms):', JSON.stringify(measured));
});

describe('telephony rig', () => {
  it('two sip.js phones register, call, talk both ways and hang up', async () => {
    const pbx = await startPbx({});
    pbxes.push(pbx);
    currentPbx = pbx;

    const a = await openUa(pbx, CITIZEN, '张三');
    const b = await openUa(pbx, OPERATOR, '坐席1001');
    measured.registerA = Math.round(await a.register());
    measured.registerB = Math.round(await b.register());

    const dump = await pbx.registrations();
    expect(dump).toContain(`AoR: ${CITIZEN}`);
    expect(dump).toContain(`AoR: ${OPERATOR}`);
    expect(dump).toMatch(/transport=ws/);

    await a.call(`sip:${OPERATOR}@${pbx.domain}`);
    const incoming = await b.waitFor('incoming', 5000);
    expect(incoming.data?.fromUser).toBe(CITIZEN);
    expect(b.incoming()?.fromDisplayName).toBe('张三');
    await a.waitFor('ringing', 5000);
    await b.waitFor('ringing', 5000);

    await b.answer();
    await Promise.all([a.waitFor('established', 5000), b.waitFor('established', 5000)]);

    // Audio both ways on both sides within a few seconds.
    await Promise.all([a.waitForAudioFlow({ minBytes: 2000, timeoutMs: 5000 }), b.waitForAudioFlow({ minBytes: 2000, timeoutMs: 5000 })]);
    await Promise.all([
      a.waitFor('first-audio-received', 5000),
      a.waitFor('first-audio-sent', 5000),
      b.waitFor('first-audio-received', 5000),
      b.waitFor('first-audio-sent', 5000),
    ]);

    const ta = a.timings();
    const tb = b.timings();
    measured.inviteToRinging = ms(ta.callStart, tb.ringing);
    measured.callStartToInviteSent = ms(ta.callStart, ta.inviteSent);
    measured.inviteSentToRinging = ms(ta.inviteSent, tb.ringing);
    measured.inviteToRingbackAtCaller = ms(ta.callStart, ta.ringing);
    measured.answerToAudioAtCaller = ms(tb.answer, ta.firstAudioReceived);
    measured.answerToAudioAtOperator = ms(tb.answer, tb.firstAudioReceived);
    measured.answerToTwoWayAudio = ms(tb.answer, Math.max(ta.firstAudioReceived ?? NaN, tb.firstAudioReceived ?? NaN));
    measured.inviteToTwoWayAudio = ms(ta.callStart, Math.max(ta.firstAudioReceived ?? NaN, tb.firstAudioReceived ?? NaN));
    for (const [k, v] of Object.entries(measured)) expect(Number.isFinite(v), `${k} measured`).toBe(true);

    await a.hangup();
    await Promise.all([a.waitFor('terminated', 5000), b.waitFor('terminated', 5000), b.waitFor('bye-received', 5000)]);
    expect((await b.state()).session).toBe('Terminated');
  });

  it('sipp calls through rtpengine (plain RTP) and a sip.js phone answers and hears it', async () => {
    const pbx = await startPbx({ rtpengine: true });
    pbxes.push(pbx);
    currentPbx = pbx;

    const b = await openUa(pbx, OPERATOR, '坐席1001');
    await b.register();
    expect(await pbx.registrations()).toContain(`AoR: ${OPERATOR}`);

    const sipp = runSipp(pbx, { scenario: 'uac-rr.xml', service: OPERATOR, caller: '13900139000', durationMs: 4000, extraArgs: ['-rtp_echo'], timeoutMs: 30_000 });
    const incoming = await b.waitFor('incoming', 10_000);
    expect(incoming.data?.fromUser).toBe('13900139000');
    await b.answer();
    await b.waitFor('established', 5000);
    // sipp echoes what it receives: bytes must come back to the phone through rtpengine.
    const flow = await b.waitForAudioFlow({ minBytes: 2000, timeoutMs: 3500 });
    expect(flow.after.bytesReceived).toBeGreaterThan(2000);
    const tb = b.timings();
    measured.rtpengineAnswerToAudio = ms(tb.answer, tb.firstAudioReceived);

    const result = await sipp;
    if (result.code !== 0) {
      throw new Error(`sipp exited ${result.code}\n${result.stdout.slice(-3000)}\n${result.stderr}\n--- sipp errors ---\n${result.errorLog}\n--- sipp messages ---\n${result.messageLog}`);
    }
    await b.waitFor('bye-received', 5000);
    await b.waitFor('terminated', 5000);
  });

  it('Kamailio can be killed and restarted on the same ports; registrations are gone and phones can register again', async () => {
    const pbx = await startPbx({});
    pbxes.push(pbx);
    currentPbx = pbx;
    const b = await openUa(pbx, OPERATOR);
    await b.register();
    expect(await pbx.registrations()).toContain(`AoR: ${OPERATOR}`);
    const oldPid = pbx.kamailioPid;

    await pbx.kill();
    await b.waitFor('disconnected', 5000);
    await expect(pbx.registrations()).rejects.toThrow(/kamcmd/);

    const t0 = performance.now();
    await pbx.restart!();
    measured.kamailioRestart = Math.round(performance.now() - t0);
    expect(pbx.kamailioPid).not.toBe(oldPid);
    expect(await pbx.registrations()).not.toContain(`AoR: ${OPERATOR}`);

    // A fresh phone registers against the restarted PBX on the same wsUrl.
    const c = await openUa(pbx, '1002');
    await c.register();
    expect(await pbx.registrations()).toContain('AoR: 1002');
  });
});

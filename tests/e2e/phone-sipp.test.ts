/**
 * Plain SIP phones, like calls from the phone network, through rtpengine
 * (WebRTC ↔ plain RTP) on the real rig: a sipp caller reaches the operator
 * with audio both ways; the operator dials a plain SIP phone (sipp) and its
 * DTMF arrives there as RFC 4733 telephone-events in the RTP (decoded by the
 * test's own UDP socket, where the phone's SDP points the audio) and as SIP INFO.
 *
 *   bash tests/e2e/netns.sh npx vitest run --project e2e tests/e2e/phone-sipp.test.ts
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { consoleAudioDelta, RtpDtmfListener, startPhoneRig, waitPhase, type PhoneRig } from '../support/phone-rig';
import { freeUdpPort, runSipp, type SippResult } from '../support/rig';

if (process.env.QINGYU_NETNS !== '1') throw new Error('run inside the network namespace: bash tests/e2e/netns.sh npx vitest run --project e2e tests/e2e/phone-sipp.test.ts');

let rig: PhoneRig;
let page: Page;

beforeAll(async () => {
  rig = await startPhoneRig({ rtpengine: true, prefix: 'qingyu-phone-sipp-' });
  page = rig.page;
});

afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail') console.error(rig.pbx.logTail(60));
});

afterAll(async () => {
  await rig?.stop();
});

function sippFailed(r: SippResult): string {
  return `sipp exited ${r.code}\n${r.stdout.slice(-2000)}\n${r.stderr}\n--- errors ---\n${r.errorLog}\n--- messages ---\n${r.messageLog}`;
}

async function finishWrapUp() {
  await page.locator('[data-testid=agent-state][data-state=wrap_up]').waitFor();
  await page.keyboard.press('Alt+W');
  await page.locator('[data-testid=agent-state][data-state=ready]').waitFor();
}

describe('plain SIP phones through rtpengine', () => {
  it('a sipp caller (plain RTP) reaches the operator, who answers with audio both ways', async () => {
    const sipp = runSipp(rig.pbx, { scenario: 'uac-rr.xml', service: '1001', caller: '13700137000', durationMs: 6000, extraArgs: ['-rtp_echo'], timeoutMs: 30_000 });
    await page.getByTestId('incoming-number').filter({ hasText: '13700137000' }).waitFor({ timeout: 10_000 });
    await page.keyboard.press('F2');
    await waitPhase(page, 'in_call');
    // The console's audio goes to sipp through rtpengine and sipp's echo comes back the same way.
    const d = await consoleAudioDelta(page, 1500);
    expect(d.bytesSent, 'console → sipp').toBeGreaterThan(1000);
    expect(d.bytesReceived, 'sipp → console').toBeGreaterThan(1000);
    const result = await sipp;
    if (result.code !== 0) throw new Error(sippFailed(result));
    await waitPhase(page, 'ended', 10_000);
    await finishWrapUp();
  });

  it('the operator dials a plain SIP phone; DTMF reaches it as RFC 4733 events and as SIP INFO', async () => {
    const listener = await RtpDtmfListener.open(126);
    try {
      const port = await freeUdpPort();
      const reg = await runSipp(rig.pbx, { scenario: 'register.xml', service: '5551234', localPort: port, timeoutMs: 10_000 });
      if (reg.code !== 0) throw new Error(sippFailed(reg));
      const uas = runSipp(rig.pbx, { scenario: 'uas-dtmf.xml', service: '5551234', localPort: port, extraArgs: ['-key', 'rtpport', String(listener.port)], timeoutMs: 40_000 });

      await page.getByTestId('dial-input').fill('5551234');
      await page.keyboard.press('Enter');
      await waitPhase(page, 'in_call', 15_000);
      await expect.poll(() => listener.packets, { timeout: 5000 }).toBeGreaterThan(20); // audio reaches the phone

      await page.keyboard.press('Alt+K');
      await page.getByTestId('dtmf-pad').waitFor();
      for (const d of ['1', '2', '3', '#']) {
        await page.getByTestId(`dtmf-key-${d}`).click();
        await page.waitForTimeout(250);
      }
      await expect.poll(() => listener.digits.join(''), { timeout: 5000 }).toBe('123#');

      await page.getByTestId('dtmf-mode').click();
      await page.getByTestId('dtmf-key-9').click();
      await page.keyboard.press('Alt+K');
      await page.waitForTimeout(300);
      await page.keyboard.press('F4');
      const result = await uas;
      if (result.code !== 0) throw new Error(sippFailed(result));
      expect(result.messageLog).toMatch(/INFO sip:[\s\S]*Content-Type: application\/dtmf-relay[\s\S]*Signal=9/);
      expect(listener.digits.join('')).toBe('123#'); // INFO does not add in-band events
      await finishWrapUp();
    } finally {
      listener.close();
    }
  });
});

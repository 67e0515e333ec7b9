/**
 * The softphone survives the PBX and the network going away, on the real rig:
 * Kamailio is killed (SIGKILL, like a crash) and restarted; the loopback link
 * of the test's network namespace is taken down for 5 seconds in the middle of
 * a call. What the operator would notice is asserted: the console says it is
 * offline while it is, registers again by itself, takes the next call, and the
 * call that was live gets its audio back (and hears the caller hang up).
 *
 *   bash tests/e2e/netns.sh npx vitest run --project e2e tests/e2e/phone-resilience.test.ts
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { consoleAudioDelta, startPhoneRig, waitPhase, type PhoneRig } from '../support/phone-rig';
import { REPO_ROOT } from '../support/rig';

if (process.env.QINGYU_NETNS !== '1') throw new Error('run inside the network namespace: bash tests/e2e/netns.sh npx vitest run --project e2e tests/e2e/phone-resilience.test.ts');

const SHOTS = path.join(REPO_ROOT, 'docs', 'screenshots');
let rig: PhoneRig;
let page: Page;

beforeAll(async () => {
  rig = await startPhoneRig({ prefix: 'qingyu-phone-res-' });
  page = rig.page;
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') {
    setLink('up');
    console.error(rig.pbx.logTail(60));
  }
});

afterAll(async () => {
  setLink('up');
  await rig?.stop();
});

/** Take this namespace's only link (loopback) down or up: every packet between the console, the PBX and the caller is dropped. */
function setLink(state: 'up' | 'down') {
  execFileSync('ip', ['link', 'set', 'lo', state]);
}

function registration(state: string, timeout = 15_000) {
  return page.locator(`[data-testid=registration][data-state=${state}]`).waitFor({ timeout });
}

function contactsOf(dump: string, aor: string): number {
  const block = dump.split(/AoR: /).find((b) => b.startsWith(`${aor}\n`) || b.startsWith(`${aor}\r`) || b.startsWith(`${aor} `) || b.startsWith(aor));
  return block ? (block.match(/Contact: /g) ?? []).length : 0;
}

describe('the softphone survives the PBX and the network', () => {
  it('Kamailio killed: the console says it is offline; restarted: it registers again by itself, once, and takes the next call', async () => {
    await registration('registered');
    await rig.pbx.kill();
    await page.locator('[data-testid=registration]:not([data-state=registered])').waitFor({ timeout: 10_000 });
    await page.getByTestId('registration-error').filter({ hasText: '电话服务器' }).waitFor();
    await page.waitForTimeout(2500); // a few reconnect attempts against a dead PBX

    await rig.pbx.restart();
    await registration('registered', 15_000);
    const dump = await rig.pbx.registrations();
    expect(contactsOf(dump, '1001'), dump).toBe(1);

    // The next call rings and is answered with audio.
    const caller = await rig.peer('13800138000', { displayName: '市民' });
    await caller.call(`sip:1001@${rig.pbx.domain}`);
    await page.getByTestId('incoming-number').filter({ hasText: '13800138000' }).waitFor({ timeout: 10_000 });
    await page.keyboard.press('F2');
    await waitPhase(page, 'in_call');
    const d = await consoleAudioDelta(page, 1500);
    expect(d.bytesSent).toBeGreaterThan(1000);
    expect(d.bytesReceived).toBeGreaterThan(1000);
    await caller.hangup();
    await waitPhase(page, 'ended');
    await page.keyboard.press('Alt+W');
    await page.locator('[data-testid=agent-state][data-state=ready]').waitFor();
  });

  it('the link cut for 5 s during a call: offline shown, registered again, audio back both ways, and the caller’s hang-up still reaches the console', async () => {
    const caller = await rig.peer('13900139000', { displayName: '市民' });
    await caller.call(`sip:1001@${rig.pbx.domain}`);
    await page.getByTestId('incoming-number').filter({ hasText: '13900139000' }).waitFor({ timeout: 10_000 });
    await page.keyboard.press('F2');
    await waitPhase(page, 'in_call');
    await caller.waitFor('established', 10_000);
    const before = await consoleAudioDelta(page, 1000);
    expect(before.bytesReceived).toBeGreaterThan(500);
    const ufragBefore = await remoteUfrag(caller.page);

    setLink('down');
    const cutAt = Date.now();
    try {
      // The keep-alive notices within about 3.5 s (longer on a loaded machine; the cut then lasts until it has).
      await page.locator('[data-testid=registration]:not([data-state=registered])').waitFor({ timeout: 8000 });
      await page.getByTestId('link-down').waitFor();
      const cut = await consoleAudioDelta(page, 800);
      expect(cut.bytesReceived, 'no audio while the link is down').toBeLessThan(200);
      // The quality indicator drops too, when a sample falls inside the cut.
      await page
        .locator('[data-testid=quality][data-grade=bad]')
        .waitFor({ timeout: Math.max(1, 4800 - (Date.now() - cutAt)) })
        .catch(() => {});
      await page.screenshot({ path: path.join(SHOTS, 'phone-offline.png') });
      await page.waitForTimeout(Math.max(0, 5000 - (Date.now() - cutAt)));
    } finally {
      setLink('up');
    }

    await registration('registered', 15_000);
    // The console re-INVITEd the call with an ICE restart: the caller sees new ICE credentials…
    await expect.poll(() => remoteUfrag(caller.page), { timeout: 10_000 }).not.toBe(ufragBefore);
    // …audio flows both ways again…
    await expect
      .poll(async () => {
        const d = await consoleAudioDelta(page, 1000);
        return Math.min(d.bytesSent, d.bytesReceived);
      }, { timeout: 15_000, interval: 200 })
      .toBeGreaterThan(1000);
    await caller.waitForAudioFlow({ minBytes: 1000, timeoutMs: 5000 });
    // …and the caller's BYE reaches the console over its new connection (the re-INVITE refreshed its contact).
    await caller.hangup();
    await waitPhase(page, 'ended', 10_000);
  });
});

/** The ICE ufrag the caller's phone has from the console (changes on an ICE restart). */
function remoteUfrag(p: Page): Promise<string | null> {
  return p.evaluate(() => {
    const pc = (window as any).qyUa.session?.sessionDescriptionHandler?.peerConnection as RTCPeerConnection | undefined;
    return /a=ice-ufrag:(\S+)/.exec(pc?.remoteDescription?.sdp ?? '')?.[1] ?? null;
  });
}

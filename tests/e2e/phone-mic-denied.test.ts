/**
 * The operator's browser refuses the microphone. An incoming call still rings;
 * answering it fails with the softphone's Chinese message for a refused
 * microphone, and the phone stays registered: the next call rings again.
 *
 * The operator runs in its own Chromium without --use-fake-ui-for-media-stream
 * (which would accept every prompt) and with the microphone explicitly denied
 * for the console's origin (CDP Browser.setPermission audioCapture → denied),
 * so getUserMedia fails with NotAllowedError. The caller uses the normal rig
 * browser with its fake microphone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/main';
import { BareUa, stopUaServer } from '../support/bare-ua';
import { CHROMIUM_ARGS, CHROMIUM_BIN, launchChromium, newPhoneContext } from '../support/browser';
import { startConsole, type RunningConsole } from '../support/console';
import { startPbx, type Pbx } from '../support/rig';
import { tempDir } from '../support/tmp';

const CALLER = '13900139000';
const MIC_DENIED = '无法使用麦克风：请允许控制台访问麦克风';

let tmp: ReturnType<typeof tempDir>;
let pbx: Pbx;
let server: RunningServer;
let consoleApp: RunningConsole;
let callerBrowser: Browser;
let operatorBrowser: Browser;
let page: Page;
let caller: BareUa;

beforeAll(async () => {
  tmp = tempDir('qingyu-e2e-mic-');
  pbx = await startPbx({ workDir: path.join(tmp.dir, 'pbx') });
  server = await startServer({ port: 0, dataDir: path.join(tmp.dir, 'server'), sipWsServer: pbx.wsUrl, sipDomain: pbx.domain, print: () => {} });
  consoleApp = await startConsole({ dbPath: path.join(tmp.dir, 'console', 'console.db'), serverUrl: server.url });

  callerBrowser = await launchChromium();
  caller = await BareUa.open(await newPhoneContext(callerBrowser), { uri: `sip:${CALLER}@${pbx.domain}`, wsServer: pbx.wsUrl, displayName: '市民' });

  // The operator: fake devices, but no auto-accepted prompt and no microphone permission.
  const chromiumTmp = fs.mkdtempSync(path.join(tmp.dir, 'chromium-'));
  operatorBrowser = await chromium.launch({
    executablePath: CHROMIUM_BIN,
    headless: true,
    args: CHROMIUM_ARGS.filter((a) => a !== '--use-fake-ui-for-media-stream'),
    env: { ...process.env, TMPDIR: chromiumTmp, HOME: process.env.HOME ?? os.tmpdir() },
    timeout: 30_000,
  });
  const context = await operatorBrowser.newContext({ viewport: { width: 1440, height: 860 }, locale: 'zh-CN' });
  const cdp = await operatorBrowser.newBrowserCDPSession();
  await cdp.send('Browser.setPermission', { permission: { name: 'microphone' }, setting: 'denied', origin: new URL(consoleApp.mode.url).origin });
  page = await context.newPage();
});

afterAll(async () => {
  await caller?.close().catch(() => {});
  await operatorBrowser?.close().catch(() => {});
  await callerBrowser?.close().catch(() => {});
  await stopUaServer().catch(() => {});
  await consoleApp?.stop().catch(() => {});
  await server?.close().catch(() => {});
  await pbx?.stop().catch(() => {});
  tmp?.cleanup();
});

async function expectText(locator: Locator, text: string, timeout = 10_000) {
  await locator.filter({ hasText: text }).first().waitFor({ timeout });
}

describe('the operator’s browser refuses the microphone', () => {
  it('the page really cannot open the microphone', async () => {
    await page.goto(consoleApp.mode.url);
    const result = await page.evaluate(async () => {
      try {
        const s = await navigator.mediaDevices.getUserMedia({ audio: true });
        s.getTracks().forEach((t) => t.stop());
        return 'granted';
      } catch (e) {
        return (e as Error).name;
      }
    });
    expect(result).toBe('NotAllowedError');
  });

  it('the operator logs in and the softphone registers anyway', async () => {
    await page.getByTestId('login-username').fill('op1001');
    await page.getByTestId('login-password').fill('qingyu-1001');
    await page.getByTestId('login-submit').click();
    await page.locator('[data-testid=registration][data-state=registered]').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid=agent-state][data-state=ready]').waitFor({ timeout: 10_000 });
  });

  it('a call rings; answering it says in Chinese that the microphone is refused, and the phone stays registered', async () => {
    await caller.register();
    await caller.call(`sip:1001@${pbx.domain}`);
    await expectText(page.getByTestId('incoming-number'), CALLER);

    await page.keyboard.press('F2');
    await expectText(page.getByTestId('call-ended'), MIC_DENIED);
    expect(await page.locator('[data-testid=call-area][data-phase=in_call]').count()).toBe(0);

    // The caller is told the call failed: it never gets established.
    await caller.waitFor('terminated', 10_000);
    expect(caller.callEvents().some((e) => e.type === 'established')).toBe(false);

    expect(await page.locator('[data-testid=registration][data-state=registered]').count()).toBe(1);
    expect(await pbx.registrations()).toMatch(/AoR: 1001\b/);
  });

  it('the next call still rings at the console', async () => {
    if (await page.locator('[data-testid=agent-state][data-state=wrap_up]').count()) await page.keyboard.press('Alt+W');
    await page.locator('[data-testid=agent-state][data-state=ready]').waitFor({ timeout: 10_000 });
    await page.keyboard.press('F4');
    await page.locator('[data-testid=call-area][data-phase=idle]').waitFor({ state: 'attached', timeout: 5000 });

    await caller.call(`sip:1001@${pbx.domain}`);
    await expectText(page.getByTestId('incoming-number'), CALLER);
    expect(await page.locator('[data-testid=registration][data-state=registered]').count()).toBe(1);

    // The caller gives up; the console is no longer ringing.
    await caller.hangup();
    await caller.waitFor('terminated', 10_000);
    await page.getByTestId('incoming-number').waitFor({ state: 'detached', timeout: 10_000 });
  });
});

// Headless Debian Chromium for the telephony rig, with the flags RIG.md found
// necessary: fake microphone, 127.0.0.1 ICE candidates, no mDNS names.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';

export const CHROMIUM_BIN = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

export interface LaunchOptions {
  /** Extra Chromium flags. */
  args?: string[];
  /** Per-run temp dir for Chromium's profile and caches (default: a fresh one under os.tmpdir()). */
  tmpDir?: string;
  /** Playwright's headless switch (default true). */
  headless?: boolean;
}

/**
 * Launch Chromium. Playwright refuses --user-data-dir in launch(), so Chromium's
 * profile goes to a per-run TMPDIR instead; it is removed when the browser closes.
 */
export async function launchChromium(opts: LaunchOptions = {}): Promise<Browser> {
  const tmpDir = opts.tmpDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'qingyu-chromium-'));
  fs.mkdirSync(tmpDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM_BIN,
    headless: opts.headless ?? true,
    args: [...CHROMIUM_ARGS, ...(opts.args ?? [])],
    env: { ...process.env, TMPDIR: tmpDir, HOME: process.env.HOME ?? tmpDir },
    timeout: 30_000,
  });
  browser.on('disconnected', () => {
    if (!opts.tmpDir) fs.rm(tmpDir, { recursive: true, force: true }, () => {});
  });
  return browser;
}

/** A fresh context (one phone = one context) with the microphone permission granted. */
export async function newPhoneContext(browser: Browser, opts: BrowserContextOptions & { origin?: string } = {}): Promise<BrowserContext> {
  const { origin, ...contextOpts } = opts;
  const context = await browser.newContext({ ...contextOpts, permissions: [...(contextOpts.permissions ?? []), 'microphone'] });
  if (origin) await context.grantPermissions(['microphone'], { origin });
  return context;
}

// The whole console on the real rig, for the softphone's end-to-end tests and
// its benchmark: Kamailio (optionally with rtpengine), the central server on
// PGlite, the console host in browser mode, Chromium with the operator (op1001,
// extension 1001) logged in and registered, and bare sip.js peers on demand.
// Run inside `bash tests/e2e/netns.sh …`.
import dgram from 'node:dgram';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../src/server/main';
import { BareUa, stopUaServer } from './bare-ua';
import { launchChromium, newPhoneContext } from './browser';
import { startConsole, type RunningConsole } from './console';
import { freeUdpPort, startPbx, type Pbx } from './rig';
import { tempDir } from './tmp';

export interface PhoneRig {
  pbx: Pbx;
  server: RunningServer;
  consoleApp: RunningConsole;
  browser: Browser;
  page: Page;
  /** A bare sip.js phone registered as `user` (its own browser context). */
  peer(user: string, opts?: { displayName?: string; autoAnswerMs?: number }): Promise<BareUa>;
  stop(): Promise<void>;
}

export async function startPhoneRig(opts: { rtpengine?: boolean; prefix?: string } = {}): Promise<PhoneRig> {
  const tmp = tempDir(opts.prefix ?? 'qingyu-phone-');
  const pbx = await startPbx({ rtpengine: opts.rtpengine, workDir: path.join(tmp.dir, 'pbx') });
  const server = await startServer({ port: 0, dataDir: path.join(tmp.dir, 'server'), sipWsServer: pbx.wsUrl, sipDomain: pbx.domain, print: () => {} });
  const consoleApp = await startConsole({ dbPath: path.join(tmp.dir, 'console', 'console.db'), serverUrl: server.url });
  const browser = await launchChromium();
  const context = await newPhoneContext(browser, { viewport: { width: 1440, height: 860 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await loginOperator(page, consoleApp.mode.url);
  const contexts: BrowserContext[] = [];
  const peers: BareUa[] = [];
  return {
    pbx,
    server,
    consoleApp,
    browser,
    page,
    async peer(user, o = {}) {
      const ctx = await newPhoneContext(browser);
      contexts.push(ctx);
      const ua = await BareUa.open(ctx, { uri: `sip:${user}@${pbx.domain}`, wsServer: pbx.wsUrl, displayName: o.displayName, autoAnswerMs: o.autoAnswerMs });
      peers.push(ua);
      await ua.register();
      return ua;
    },
    async stop() {
      for (const ua of peers) await ua.close().catch(() => {});
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close().catch(() => {});
      await stopUaServer().catch(() => {});
      await consoleApp.stop().catch(() => {});
      await server.close().catch(() => {});
      await pbx.stop().catch(() => {});
      tmp.cleanup();
    },
  };
}

export async function loginOperator(page: Page, url: string, username = 'op1001', password = 'qingyu-1001') {
  await page.goto(url);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.locator('[data-testid=registration][data-state=registered]').waitFor({ timeout: 15_000 });
}

/** Wait until the console's active call is in `phase` ('idle' when there is none). */
export function waitPhase(page: Page, phase: string, timeout = 10_000) {
  return page.locator(`[data-testid=call-area][data-phase=${phase}]`).waitFor({ state: 'attached', timeout });
}

export interface ConsoleAudio {
  bytesSent: number;
  bytesReceived: number;
}

/** Audio counters of the console's active call (window.qingyuDiagnostics). */
export async function consoleAudio(page: Page): Promise<ConsoleAudio> {
  const s = await page.evaluate(() => (window as any).qingyuDiagnostics?.audioStats() ?? null);
  if (!s) throw new Error('the console has no call with media');
  return s as ConsoleAudio;
}

/** Bytes each way over `ms` on the console's active call. */
export async function consoleAudioDelta(page: Page, ms = 1500): Promise<ConsoleAudio> {
  const a = await consoleAudio(page);
  await page.waitForTimeout(ms);
  const b = await consoleAudio(page);
  return { bytesSent: b.bytesSent - a.bytesSent, bytesReceived: b.bytesReceived - a.bytesReceived };
}

/** Bytes each way over `ms` on a bare peer's current call. */
export async function peerAudioDelta(ua: BareUa, ms = 1500): Promise<ConsoleAudio> {
  const a = await ua.audioStats();
  await ua.page.waitForTimeout(ms);
  const b = await ua.audioStats();
  return { bytesSent: b.bytesSent - a.bytesSent, bytesReceived: b.bytesReceived - a.bytesReceived };
}

/**
 * Sound energy a peer has heard so far (inbound-rtp totalAudioEnergy of every
 * live peer connection in its page): grows only when what it receives is not silence.
 */
export async function peerHeardEnergy(ua: BareUa): Promise<number> {
  return ua.page.evaluate(async () => {
    const q = (window as any).qyUa;
    const pcs: RTCPeerConnection[] = [];
    const sdh = q.session?.sessionDescriptionHandler;
    if (sdh?.peerConnection) pcs.push(sdh.peerConnection);
    let energy = 0;
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((r: any) => {
        if (r.type === 'inbound-rtp' && (r.kind ?? r.mediaType) === 'audio') energy += r.totalAudioEnergy ?? 0;
      });
    }
    return energy;
  });
}

/**
 * Let a bare peer take part in an attended transfer as the third party: an
 * INVITE with a Replaces header (RFC 3891) is answered at once and replaces
 * the peer's current call (whose other end gets a BYE). BareUa alone answers
 * any second INVITE with 486.
 */
export async function acceptReplaces(ua: BareUa): Promise<void> {
  await ua.page.evaluate(() => {
    const q = (window as any).qyUa;
    const original = q.onInvite.bind(q);
    q.onInvite = (invitation: any) => {
      if (!invitation.request.hasHeader('Replaces')) return original(invitation);
      const old = q.session;
      q.attach(invitation, 'incoming');
      q.emit('incoming', { callId: invitation.request.callId, fromUser: invitation.request.from.uri.user, replaces: true });
      void invitation.accept({ sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } }).then(() => old?.bye?.().catch(() => {}));
    };
  });
}

/**
 * Make a bare peer follow a REFER (it is the caller being transferred) and
 * track the new call as its current one, so its audio counters are the new call's.
 */
export async function followRefer(ua: BareUa): Promise<void> {
  await ua.page.evaluate(() => {
    const q = (window as any).qyUa;
    const s = q.session;
    s.delegate = {
      ...s.delegate,
      onRefer: (referral: any) => {
        q.emit('refer-received', { to: referral.referTo.uri.toString() });
        void referral.accept().then(() => {
          const inviter = referral.makeInviter({ sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } });
          q.attach(inviter, 'outgoing');
          return inviter.invite();
        });
      },
    };
  });
}

/**
 * A UDP socket that takes the RTP a plain SIP phone (sipp, uas-dtmf.xml)
 * would receive and decodes RFC 4733 telephone-events in it.
 */
export class RtpDtmfListener {
  readonly digits: string[] = [];
  packets = 0;
  private lastEvent: { ts: number; digit: string } | null = null;
  private constructor(
    private readonly sock: dgram.Socket,
    readonly port: number,
    readonly eventPayloadType: number,
  ) {
    sock.on('message', (m) => this.onPacket(m));
  }

  static async open(eventPayloadType = 126): Promise<RtpDtmfListener> {
    const port = await freeUdpPort();
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => sock.bind(port, '127.0.0.1', () => resolve()));
    return new RtpDtmfListener(sock, port, eventPayloadType);
  }

  private onPacket(m: Buffer) {
    if (m.length < 16 || m[0]! >> 6 !== 2) return;
    this.packets++;
    const pt = m[1]! & 0x7f;
    if (pt !== this.eventPayloadType) return;
    const cc = m[0]! & 0x0f;
    const ts = m.readUInt32BE(4);
    const off = 12 + cc * 4;
    const event = m[off]!;
    const digit = '0123456789*#ABCD'[event] ?? `?${event}`;
    // One digit = every packet with the same RTP timestamp (start, updates, 3 × end).
    if (this.lastEvent?.ts === ts && this.lastEvent.digit === digit) return;
    this.lastEvent = { ts, digit };
    this.digits.push(digit);
  }

  close() {
    this.sock.close();
  }
}

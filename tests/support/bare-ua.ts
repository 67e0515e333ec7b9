// A bare sip.js user agent in a Chromium page: a caller or third party for tests,
// and the "bare sip.js" baseline for benchmarks. The page code is
// tests/support/ua-page.ts, bundled with esbuild on first use (cached under
// .tmp/bare-ua/) and served from a tiny HTTP server on 127.0.0.1 (a secure
// context, so getUserMedia works).
//
//   const ua = await BareUa.open(context, { uri: 'sip:13800138000@qingyu.local', wsServer: pbx.wsUrl });
//   await ua.register();
//   await ua.call('sip:1001@qingyu.local');
//   await ua.waitFor('established', 10_000);
//
// Every event carries a page-side epoch timestamp in ms (sub-ms resolution);
// ua.timings() gives the key ones of the current call.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import type { AudioStats, PageUaConfig, UaEvent } from './ua-page';
import { REPO_ROOT } from './rig';

export type { AudioStats, UaEvent } from './ua-page';

const PAGE_SOURCE = path.join(REPO_ROOT, 'tests', 'support', 'ua-page.ts');
const CACHE_DIR = path.join(REPO_ROOT, '.tmp', 'bare-ua');

let bundlePromise: Promise<string> | undefined;

/** Bundle ua-page.ts with sip.js (esbuild, IIFE); cached by content hash under .tmp/bare-ua/. Returns the JS text. */
export function buildUaBundle(): Promise<string> {
  bundlePromise ??= (async () => {
    const esbuild = await import('esbuild');
    const sipPkg = fs.readFileSync(path.join(REPO_ROOT, 'node_modules', 'sip.js', 'package.json'), 'utf8');
    const hash = crypto
      .createHash('sha256')
      .update(fs.readFileSync(PAGE_SOURCE))
      .update(sipPkg)
      .update(esbuild.version)
      .digest('hex')
      .slice(0, 16);
    const file = path.join(CACHE_DIR, `ua-page-${hash}.js`);
    if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
    const result = await esbuild.build({
      entryPoints: [PAGE_SOURCE],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'chrome110',
      write: false,
      sourcemap: 'inline',
      logLevel: 'silent',
    });
    const js = result.outputFiles[0]!.text;
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, js);
    fs.renameSync(tmp, file);
    return js;
  })();
  return bundlePromise;
}

const PAGE_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>bare sip.js</title></head>
<body><script src="/ua.js"></script></body></html>`;

let server: http.Server | undefined;
let serverUrl: Promise<string> | undefined;

/** URL of the bare-UA page on the loopback HTTP server (started on first use, unref'd). */
export function uaPageUrl(): Promise<string> {
  serverUrl ??= (async () => {
    const js = await buildUaBundle();
    server = http.createServer((req, res) => {
      const url = (req.url ?? '/').split('?')[0];
      if (url === '/' || url === '/index.html') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(PAGE_HTML);
      } else if (url === '/ua.js') {
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
        res.end(js);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    const srv = server;
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => resolve());
    });
    srv.unref();
    return `http://127.0.0.1:${(srv.address() as AddressInfo).port}/`;
  })();
  return serverUrl;
}

/** Close the page server (pages already loaded keep working). */
export async function stopUaServer(): Promise<void> {
  const srv = server;
  server = undefined;
  serverUrl = undefined;
  if (srv) await new Promise<void>((resolve) => srv.close(() => resolve()));
}

export interface BareUaOptions {
  /** e.g. 'sip:13800138000@qingyu.local' */
  uri: string;
  /** e.g. pbx.wsUrl */
  wsServer: string;
  displayName?: string;
  /** Send 180 Ringing for incoming calls (default true). */
  autoRing?: boolean;
  /** Answer incoming calls by itself after this many ms (default: never). */
  autoAnswerMs?: number;
  /** sip.js log level in the page (default 'warn'); page console ends up in ua.logs(). */
  logLevel?: 'debug' | 'log' | 'warn' | 'error';
  expires?: number;
}

export interface IncomingCall {
  callId: string;
  fromUser: string;
  fromUri: string;
  fromDisplayName?: string;
  toUser: string;
}

/** Epoch ms of the key events of the current call (undefined when it did not happen). */
export interface CallTimings {
  callStart?: number;
  inviteSent?: number;
  ringing?: number;
  incoming?: number;
  answer?: number;
  accepted?: number;
  established?: number;
  firstAudioSent?: number;
  firstAudioReceived?: number;
  remoteTrackUnmuted?: number;
  terminated?: number;
}

/** Events that belong to one call; a new call (call-start / incoming) hides the previous call's ones from waitFor(). */
const CALL_EVENTS = new Set([
  'trying', 'ringing', 'accepted', 'rejected', 'invite-sent', 'establishing', 'established', 'terminated', 'bye-received',
  'answer', 'hangup', 'first-audio-sent', 'first-audio-received', 'remote-track-unmuted', 'ice', 'pc', 'held', 'resumed',
  'hold-sent', 'unhold-sent', 'dtmf-sent', 'info-received',
]);

interface Waiter {
  type: string;
  predicate?: (ev: UaEvent) => boolean;
  resolve: (ev: UaEvent) => void;
}

export class BareUa {
  /** Every event so far, in order of arrival. */
  readonly events: UaEvent[] = [];
  private readonly cursor = new Map<string, number>();
  private callStartIndex = 0;
  private waiters: Waiter[] = [];
  private readonly consoleLines: string[] = [];
  private closed = false;

  private constructor(
    readonly page: Page,
    readonly options: BareUaOptions,
  ) {}

  /** Open a page in `context`, load sip.js, start the UA and connect its WebSocket (does not register). */
  static async open(context: BrowserContext, options: BareUaOptions): Promise<BareUa> {
    const url = await uaPageUrl();
    const page = await context.newPage();
    const ua = new BareUa(page, options);
    page.on('console', (m) => ua.log(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => ua.log(`[pageerror] ${e.message}`));
    await page.exposeFunction('__qyEvent', (ev: UaEvent) => ua.onEvent(ev));
    await page.goto(url);
    await page.waitForFunction(() => typeof window.qyUa !== 'undefined', undefined, { timeout: 10_000 });
    const config: PageUaConfig = {
      uri: options.uri,
      wsServer: options.wsServer,
      displayName: options.displayName,
      autoRing: options.autoRing,
      autoAnswerMs: options.autoAnswerMs,
      logLevel: options.logLevel,
      expires: options.expires,
    };
    await ua.guard('start', page.evaluate((c) => window.qyUa.start(c), config));
    return ua;
  }

  get uri(): string {
    return this.options.uri;
  }

  private log(line: string): void {
    this.consoleLines.push(line);
    if (this.consoleLines.length > 300) this.consoleLines.shift();
  }

  private onEvent(ev: UaEvent): void {
    const index = this.events.length;
    this.events.push(ev);
    if (ev.type === 'call-start' || ev.type === 'incoming') {
      this.callStartIndex = index;
      for (const t of CALL_EVENTS) this.cursor.set(t, Math.max(this.cursor.get(t) ?? 0, index));
    }
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.type === ev.type && (!w.predicate || w.predicate(ev)) && index >= (this.cursor.get(w.type) ?? 0)) {
        this.cursor.set(w.type, index + 1);
        w.resolve(ev);
      } else still.push(w);
    }
    this.waiters = still;
  }

  /** Page console output and page errors (last 300 lines). */
  logs(): string[] {
    return [...this.consoleLines];
  }

  /** A readable summary for error messages. */
  describe(lastEvents = 25): string {
    const t0 = this.events[0]?.t ?? 0;
    const evs = this.events
      .slice(-lastEvents)
      .map((e) => `  +${(e.t - t0).toFixed(1)}ms ${e.type}${e.data ? ' ' + JSON.stringify(e.data) : ''}`)
      .join('\n');
    return `BareUa ${this.uri}\n events:\n${evs}\n console (last 20):\n  ${this.consoleLines.slice(-20).join('\n  ')}`;
  }

  private async guard<T>(what: string, p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (e) {
      throw new Error(`BareUa ${this.uri} ${what} failed: ${(e as Error).message}\n${this.describe()}`, { cause: e });
    }
  }

  /**
   * Resolve with the next event of `type` not yet returned by an earlier waitFor of the same type
   * (for call events: of the current call). Rejects after `timeoutMs` with the UA's recent events.
   */
  waitFor(type: string, timeoutMs = 10_000, predicate?: (ev: UaEvent) => boolean): Promise<UaEvent> {
    const from = this.cursor.get(type) ?? 0;
    for (let i = from; i < this.events.length; i++) {
      const ev = this.events[i]!;
      if (ev.type === type && (!predicate || predicate(ev))) {
        this.cursor.set(type, i + 1);
        return Promise.resolve(ev);
      }
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        type,
        predicate,
        resolve: (ev) => {
          clearTimeout(timer);
          resolve(ev);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`BareUa ${this.uri}: no '${type}' within ${timeoutMs} ms\n${this.describe()}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Events of the current call (since the last call-start or incoming). */
  callEvents(): UaEvent[] {
    return this.events.slice(this.callStartIndex);
  }

  /** Epoch-ms timestamps of the current call's key events. */
  timings(): CallTimings {
    const first = (type: string) => this.callEvents().find((e) => e.type === type)?.t;
    return {
      callStart: first('call-start'),
      inviteSent: first('invite-sent'),
      ringing: first('ringing'),
      incoming: first('incoming'),
      answer: first('answer'),
      accepted: first('accepted'),
      established: first('established'),
      firstAudioSent: first('first-audio-sent'),
      firstAudioReceived: first('first-audio-received'),
      remoteTrackUnmuted: first('remote-track-unmuted'),
      terminated: first('terminated'),
    };
  }

  /** The current incoming call's caller, if any. */
  incoming(): IncomingCall | undefined {
    const ev = this.callEvents().find((e) => e.type === 'incoming');
    return ev?.data as IncomingCall | undefined;
  }

  /** REGISTER and wait for the 200; resolves with the REGISTER→200 time in ms. */
  async register(): Promise<number> {
    const t0 = performance.now();
    await this.guard('register', this.page.evaluate(() => window.qyUa.register()));
    return performance.now() - t0;
  }

  async unregister(): Promise<void> {
    await this.guard('unregister', this.page.evaluate(() => window.qyUa.unregister()));
  }

  /** Send an INVITE to `target`; resolves once it is sent (after the SDP offer is built). */
  async call(target: string, extraHeaders: string[] = []): Promise<void> {
    await this.guard(`call ${target}`, this.page.evaluate(([t, h]) => window.qyUa.call(t, h), [target, extraHeaders] as const));
  }

  /** Accept the current incoming call; resolves when the 200 OK is sent. */
  async answer(): Promise<void> {
    await this.guard('answer', this.page.evaluate(() => window.qyUa.answer()));
  }

  async reject(statusCode = 486): Promise<void> {
    await this.guard('reject', this.page.evaluate((c) => window.qyUa.reject(c), statusCode));
  }

  /** CANCEL, reject or BYE, whichever fits the call's state. */
  async hangup(): Promise<void> {
    await this.guard('hangup', this.page.evaluate(() => window.qyUa.hangup()));
  }

  /** Hold (true) / resume (false) by re-INVITE; resolves on the 200. */
  async hold(on: boolean): Promise<void> {
    await this.guard(on ? 'hold' : 'unhold', this.page.evaluate((h) => window.qyUa.hold(h), on));
  }

  /** DTMF as RFC 4733 events (default) or SIP INFO. */
  async sendDtmf(tones: string, mode: 'rfc4733' | 'info' = 'rfc4733'): Promise<void> {
    await this.guard('sendDtmf', this.page.evaluate(([t, m]) => window.qyUa.sendDtmf(t, m), [tones, mode] as const));
  }

  /** Audio counters of the current call's RTCPeerConnection (zeros when there is none). */
  audioStats(): Promise<AudioStats> {
    return this.guard('audioStats', this.page.evaluate(() => window.qyUa.audioStats()));
  }

  /**
   * Poll audioStats() until both bytesSent and bytesReceived have grown by at least
   * `minBytes` over their values at the call of this method. Rejects after timeoutMs.
   */
  async waitForAudioFlow(opts: { minBytes?: number; timeoutMs?: number; direction?: 'both' | 'send' | 'receive' } = {}): Promise<{ before: AudioStats; after: AudioStats }> {
    const minBytes = opts.minBytes ?? 1000;
    const direction = opts.direction ?? 'both';
    const end = Date.now() + (opts.timeoutMs ?? 5000);
    const before = await this.audioStats();
    let after = before;
    for (;;) {
      const sentOk = after.bytesSent - before.bytesSent >= minBytes;
      const recvOk = after.bytesReceived - before.bytesReceived >= minBytes;
      if ((direction !== 'receive' || recvOk) && (direction !== 'send' || sentOk) && (direction !== 'both' || (sentOk && recvOk))) return { before, after };
      if (Date.now() > end) {
        throw new Error(
          `BareUa ${this.uri}: audio did not flow (${direction}, +${minBytes} B): before ${JSON.stringify(before)} after ${JSON.stringify(after)}\n${this.describe()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
      after = await this.audioStats();
    }
  }

  /** Current registration / session / transport state. */
  state(): Promise<{ registered: boolean; session?: string; transport: boolean }> {
    return this.page.evaluate(() => window.qyUa.state());
  }

  /** Hang up, unregister (best effort, 3 s) and close the page. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await Promise.race([this.page.evaluate(() => window.qyUa.stop()), new Promise((r) => setTimeout(r, 3000))]);
    } catch {}
    await this.page.close().catch(() => {});
  }
}

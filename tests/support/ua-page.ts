// Browser side of BareUa (tests/support/bare-ua.ts): a bare sip.js 0.21 user agent
// with no application code around it. Bundled with esbuild at test time and
// loaded into a Chromium page; Node drives it through `window.qyUa` and gets
// events (with page-side epoch timestamps) through the `__qyEvent` binding.
import {
  Inviter,
  Registerer,
  RegistererState,
  SessionState,
  UserAgent,
  type Invitation,
  type Session,
  type SessionDescriptionHandler as SdhApi,
  type Web,
} from 'sip.js';

type SessionDescriptionHandler = Web.SessionDescriptionHandler;

export interface UaEvent {
  type: string;
  /** epoch milliseconds (performance.timeOrigin + performance.now()), sub-ms resolution */
  t: number;
  data?: Record<string, unknown>;
}

export interface PageUaConfig {
  uri: string;
  wsServer: string;
  displayName?: string;
  /** Send 180 Ringing automatically for incoming calls (default true). */
  autoRing?: boolean;
  /** Answer incoming calls automatically after this many ms (default: never). */
  autoAnswerMs?: number;
  logLevel?: 'debug' | 'log' | 'warn' | 'error';
  /** sip.js registration expiry in seconds (default 600). */
  expires?: number;
}

export interface AudioStats {
  bytesSent: number;
  bytesReceived: number;
  packetsSent: number;
  packetsReceived: number;
  packetsLost: number;
  jitter: number;
  codec?: string;
  hasPeerConnection: boolean;
}

declare global {
  interface Window {
    __qyEvent?: (ev: UaEvent) => void;
    qyUa: PageUa;
  }
}

const now = () => performance.timeOrigin + performance.now();

class PageUa {
  readonly events: UaEvent[] = [];
  private ua?: UserAgent;
  private registerer?: Registerer;
  private session?: Session;
  private audioEl?: HTMLAudioElement;
  private config?: PageUaConfig;

  emit(type: string, data?: Record<string, unknown>): void {
    const ev: UaEvent = { type, t: now(), data };
    this.events.push(ev);
    try {
      window.__qyEvent?.(ev);
    } catch {}
  }

  async start(config: PageUaConfig): Promise<void> {
    this.config = config;
    const uri = UserAgent.makeURI(config.uri);
    if (!uri) throw new Error(`bad uri ${config.uri}`);
    this.audioEl = document.createElement('audio');
    this.audioEl.autoplay = true;
    document.body.appendChild(this.audioEl);
    this.ua = new UserAgent({
      uri,
      displayName: config.displayName,
      transportOptions: { server: config.wsServer, connectionTimeout: 5 },
      logLevel: config.logLevel ?? 'warn',
      logBuiltinEnabled: true,
      sessionDescriptionHandlerFactoryOptions: {
        peerConnectionConfiguration: { iceServers: [] },
        iceGatheringTimeout: 2000,
      },
      delegate: {
        onConnect: () => this.emit('connected'),
        onDisconnect: (error?: Error) => this.emit('disconnected', { error: error?.message }),
        onInvite: (invitation: Invitation) => this.onInvite(invitation),
      },
    });
    await this.ua.start();
  }

  async register(): Promise<void> {
    if (!this.ua) throw new Error('not started');
    if (!this.registerer) {
      this.registerer = new Registerer(this.ua, { expires: this.config?.expires ?? 600 });
      this.registerer.stateChange.addListener((s) => {
        if (s === RegistererState.Registered) this.emit('registered');
        if (s === RegistererState.Unregistered) this.emit('unregistered');
      });
    }
    const reg = this.registerer;
    await new Promise<void>((resolve, reject) => {
      this.emit('register-sent');
      reg
        .register({
          requestDelegate: {
            onAccept: () => resolve(),
            onReject: (r) => reject(new Error(`REGISTER rejected: ${r.message.statusCode} ${r.message.reasonPhrase}`)),
          },
        })
        .catch(reject);
    });
  }

  async unregister(): Promise<void> {
    if (!this.registerer) return;
    const reg = this.registerer;
    await new Promise<void>((resolve, reject) => {
      reg
        .unregister({ requestDelegate: { onAccept: () => resolve(), onReject: (r) => reject(new Error(`un-REGISTER rejected: ${r.message.statusCode}`)) } })
        .catch(reject);
    });
  }

  async call(target: string, extraHeaders: string[] = []): Promise<void> {
    if (!this.ua) throw new Error('not started');
    const uri = UserAgent.makeURI(target);
    if (!uri) throw new Error(`bad target ${target}`);
    this.emit('call-start', { target });
    const inviter = new Inviter(this.ua, uri, {
      extraHeaders,
      sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } },
    });
    this.attach(inviter, 'outgoing');
    await inviter.invite({
      requestDelegate: {
        onTrying: () => this.emit('trying'),
        onProgress: (r) => {
          const code = r.message.statusCode ?? 0;
          if (code >= 180) this.emit('ringing', { direction: 'outgoing', status: code });
        },
        onAccept: (r) => this.emit('accepted', { status: r.message.statusCode }),
        onReject: (r) => this.emit('rejected', { status: r.message.statusCode, reason: r.message.reasonPhrase }),
      },
    });
    this.emit('invite-sent', { callId: inviter.request.callId });
  }

  private onInvite(invitation: Invitation): void {
    const req = invitation.request;
    if (this.session && this.session.state !== SessionState.Terminated) {
      void invitation.reject({ statusCode: 486 });
      this.emit('busy-rejected', { from: req.from.uri.toString() });
      return;
    }
    this.attach(invitation, 'incoming');
    this.emit('incoming', {
      callId: req.callId,
      fromUser: req.from.uri.user,
      fromUri: req.from.uri.toString(),
      fromDisplayName: req.from.displayName,
      toUser: req.to.uri.user,
    });
    if (this.config?.autoRing !== false) {
      invitation
        .progress()
        .then(() => this.emit('ringing', { direction: 'incoming', status: 180 }))
        .catch((e: Error) => this.emit('error', { where: 'progress', message: e.message }));
    } else {
      this.emit('ringing', { direction: 'incoming', status: 0 });
    }
    if (this.config?.autoAnswerMs !== undefined) {
      setTimeout(() => void this.answer().catch((e: Error) => this.emit('error', { where: 'autoAnswer', message: e.message })), this.config.autoAnswerMs);
    }
  }

  private attach(session: Session, direction: 'incoming' | 'outgoing'): void {
    this.session = session;
    session.delegate = {
      // sip.js leaves the 200 to BYE to the delegate when there is one.
      onBye: (bye) => {
        this.emit('bye-received');
        void bye.accept();
      },
      onInfo: (info) => {
        this.emit('info-received', { contentType: info.request.getHeader('Content-Type'), body: info.request.body });
        void info.accept();
      },
      onSessionDescriptionHandler: (sdh: SdhApi) => this.watchMedia(sdh as SessionDescriptionHandler),
    };
    session.stateChange.addListener((s) => {
      if (s === SessionState.Establishing) this.emit('establishing', { direction });
      if (s === SessionState.Established) {
        this.emit('established', { direction });
        const sdh = session.sessionDescriptionHandler as SessionDescriptionHandler | undefined;
        if (sdh && this.audioEl) {
          this.audioEl.srcObject = sdh.remoteMediaStream;
          void this.audioEl.play().catch(() => {});
        }
      }
      if (s === SessionState.Terminated) this.emit('terminated', { direction });
    });
  }

  private watchedPcs = new WeakSet<RTCPeerConnection>();

  /** Record when audio actually flows: remote track unmute, and the first stats with bytes. */
  private watchMedia(sdh: SessionDescriptionHandler): void {
    const pc = sdh.peerConnection;
    if (!pc || this.watchedPcs.has(pc)) return;
    this.watchedPcs.add(pc);
    const watchTrack = (track: MediaStreamTrack) => {
      if (track.kind !== 'audio') return;
      if (!track.muted) this.emit('remote-track-unmuted', { already: true });
      else track.addEventListener('unmute', () => this.emit('remote-track-unmuted'), { once: true });
    };
    pc.getReceivers().forEach((r) => watchTrack(r.track));
    pc.addEventListener('track', (e) => watchTrack(e.track));
    pc.addEventListener('iceconnectionstatechange', () => this.emit('ice', { state: pc.iceConnectionState }));
    pc.addEventListener('connectionstatechange', () => this.emit('pc', { state: pc.connectionState }));
    let sent = false;
    let received = false;
    const started = now();
    const poll = async () => {
      if (pc.connectionState === 'closed' || now() - started > 60_000) return;
      const s = await this.statsOf(pc);
      if (!sent && s.bytesSent > 0) {
        sent = true;
        this.emit('first-audio-sent', { bytes: s.bytesSent });
      }
      if (!received && s.bytesReceived > 0) {
        received = true;
        this.emit('first-audio-received', { bytes: s.bytesReceived });
      }
      if (!(sent && received)) setTimeout(() => void poll(), 10);
    };
    void poll();
  }

  private peerConnection(): RTCPeerConnection | undefined {
    return (this.session?.sessionDescriptionHandler as SessionDescriptionHandler | undefined)?.peerConnection;
  }

  /** Last counters read, returned once the peer connection is closed (getStats() would throw). */
  private lastStats?: AudioStats;

  private async statsOf(pc: RTCPeerConnection): Promise<AudioStats> {
    if (pc.connectionState === 'closed' && this.lastStats) return this.lastStats;
    const out: AudioStats = { bytesSent: 0, bytesReceived: 0, packetsSent: 0, packetsReceived: 0, packetsLost: 0, jitter: 0, hasPeerConnection: true };
    const report = await pc.getStats();
    const codecs = new Map<string, string>();
    report.forEach((r: any) => {
      if (r.type === 'codec') codecs.set(r.id, r.mimeType);
    });
    report.forEach((r: any) => {
      const kind = r.kind ?? r.mediaType;
      if (kind !== 'audio') return;
      if (r.type === 'outbound-rtp') {
        out.bytesSent += r.bytesSent ?? 0;
        out.packetsSent += r.packetsSent ?? 0;
        if (r.codecId) out.codec = codecs.get(r.codecId);
      } else if (r.type === 'inbound-rtp') {
        out.bytesReceived += r.bytesReceived ?? 0;
        out.packetsReceived += r.packetsReceived ?? 0;
        out.packetsLost += r.packetsLost ?? 0;
        out.jitter = r.jitter ?? 0;
      }
    });
    this.lastStats = out;
    return out;
  }

  async audioStats(): Promise<AudioStats> {
    const pc = this.peerConnection();
    if (!pc) return { bytesSent: 0, bytesReceived: 0, packetsSent: 0, packetsReceived: 0, packetsLost: 0, jitter: 0, hasPeerConnection: false };
    return this.statsOf(pc);
  }

  async answer(): Promise<void> {
    const s = this.session as Invitation | undefined;
    if (!s || !('accept' in s)) throw new Error('no incoming call to answer');
    this.emit('answer');
    await s.accept({ sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } });
  }

  async reject(statusCode = 486): Promise<void> {
    const s = this.session as Invitation | undefined;
    if (!s || !('reject' in s)) throw new Error('no incoming call to reject');
    await s.reject({ statusCode });
  }

  async hangup(): Promise<void> {
    const s = this.session;
    if (!s) return;
    this.emit('hangup', { state: s.state });
    switch (s.state) {
      case SessionState.Initial:
      case SessionState.Establishing:
        if (s instanceof Inviter) await s.cancel();
        else await (s as Invitation).reject();
        break;
      case SessionState.Established:
        await s.bye();
        break;
      default:
        break;
    }
  }

  /** Hold (true) or resume (false) with a re-INVITE; resolves on the 200 (or rejects). */
  async hold(on: boolean): Promise<void> {
    const s = this.session;
    if (!s || s.state !== SessionState.Established) throw new Error('no established call');
    s.sessionDescriptionHandlerOptionsReInvite = { hold: on } as any;
    this.emit(on ? 'hold-sent' : 'unhold-sent');
    await new Promise<void>((resolve, reject) => {
      s.invite({
        requestDelegate: {
          onAccept: () => {
            this.emit(on ? 'held' : 'resumed');
            resolve();
          },
          onReject: (r) => reject(new Error(`re-INVITE rejected: ${r.message.statusCode}`)),
        },
      }).catch(reject);
    });
  }

  /** DTMF: RFC 4733 through the RTCDTMFSender (default) or SIP INFO (application/dtmf-relay). */
  async sendDtmf(tones: string, mode: 'rfc4733' | 'info' = 'rfc4733'): Promise<void> {
    const s = this.session;
    if (!s || s.state !== SessionState.Established) throw new Error('no established call');
    if (mode === 'rfc4733') {
      const ok = (s.sessionDescriptionHandler as SessionDescriptionHandler).sendDtmf(tones, { duration: 100, interToneGap: 70 });
      if (!ok) throw new Error('RFC 4733 DTMF not possible on this call');
      this.emit('dtmf-sent', { tones, mode });
      return;
    }
    for (const tone of tones) {
      await s.info({ requestOptions: { body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: `Signal=${tone}\r\nDuration=100` } } });
    }
    this.emit('dtmf-sent', { tones, mode });
  }

  state(): { registered: boolean; session?: string; transport: boolean } {
    return {
      registered: this.registerer?.state === RegistererState.Registered,
      session: this.session?.state,
      transport: this.ua?.isConnected() ?? false,
    };
  }

  async stop(): Promise<void> {
    try {
      await this.hangup();
    } catch {}
    try {
      if (this.registerer?.state === RegistererState.Registered) await this.unregister();
    } catch {}
    await this.ua?.stop();
  }
}

window.qyUa = new PageUa();

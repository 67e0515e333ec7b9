import {
  Invitation,
  Registerer,
  RegistererState,
  SessionState,
  UserAgent,
  type Session,
} from 'sip.js';
import type { SessionDescriptionHandler } from 'sip.js/lib/platform/web';
import type { SipAccount } from '../shared/auth';
import type { NewCallRecord } from '../shared/host-api';
import { callOutcome, initialPhoneState, transition, type PhoneEvent, type PhoneState } from './machine';

export interface SoftphoneOptions {
  account: SipAccount;
  /** Where the caller's voice is played. */
  remoteAudio?: HTMLAudioElement;
  /** Called once for every call that ends, with what the call record needs. */
  onCallEnded?: (record: NewCallRecord) => void;
  /** Registration lifetime asked of the PBX, seconds. */
  registerExpires?: number;
}

export interface AudioStats {
  bytesSent: number;
  bytesReceived: number;
}

const RECONNECT_MIN_MS = 1_000;
const RECONNECT_MAX_MS = 30_000;

/**
 * The operator's softphone: sip.js underneath, the state machine in
 * machine.ts on top. React renders `state`; nothing else decides it.
 */
export class Softphone {
  private phone: PhoneState = initialPhoneState;
  private readonly listeners = new Set<(s: PhoneState) => void>();
  private readonly ua: UserAgent;
  private readonly registerer: Registerer;
  private session: Session | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private reconnectAttempts = 0;
  private stopped = false;

  constructor(private readonly opts: SoftphoneOptions) {
    const uri = UserAgent.makeURI(opts.account.uri);
    if (!uri) throw new Error(`无效的话机账号：${opts.account.uri}`);
    this.ua = new UserAgent({
      uri,
      displayName: opts.account.displayName || undefined,
      authorizationUsername: opts.account.authorizationUsername || undefined,
      authorizationPassword: opts.account.authorizationPassword || undefined,
      transportOptions: { server: opts.account.wsServer, connectionTimeout: 5 },
      logLevel: 'warn',
      sessionDescriptionHandlerFactoryOptions: { peerConnectionConfiguration: { iceServers: [] } },
      delegate: {
        onInvite: (invitation) => this.onInvite(invitation),
        onConnect: () => {
          this.reconnectAttempts = 0;
          void this.register();
        },
        onDisconnect: (error) => {
          this.dispatch({ type: 'unregistered', reason: error ? '与电话服务器的连接已断开，正在重连…' : undefined });
          if (error) this.scheduleReconnect();
        },
      },
    });
    this.registerer = new Registerer(this.ua, { expires: opts.registerExpires ?? 300 });
    this.registerer.stateChange.addListener((s) => {
      if (s === RegistererState.Registered) this.dispatch({ type: 'registered' });
      else if (s === RegistererState.Unregistered && this.phone.registration === 'registered') this.dispatch({ type: 'unregistered' });
    });
  }

  get state(): PhoneState {
    return this.phone;
  }

  subscribe(listener: (s: PhoneState) => void): () => void {
    this.listeners.add(listener);
    listener(this.phone);
    return () => this.listeners.delete(listener);
  }

  private dispatch(event: PhoneEvent) {
    const t = transition(this.phone, event);
    if (!t.ok) return false;
    this.phone = t.state;
    for (const l of this.listeners) l(this.phone);
    return true;
  }

  /** Connect to the PBX and register; reconnects by itself after a drop. */
  async start(): Promise<void> {
    this.stopped = false;
    this.dispatch({ type: 'register_start' });
    try {
      await this.ua.start();
    } catch {
      this.dispatch({ type: 'register_failed', reason: `无法连接电话服务器（${this.opts.account.wsServer}），正在重试…` });
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect() {
    if (this.stopped || this.reconnectTimer) return;
    const base = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.reconnectAttempts++);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.stopped || this.ua.isConnected()) return;
      this.ua.reconnect().catch(() => {
        this.dispatch({ type: 'register_failed', reason: `无法连接电话服务器（${this.opts.account.wsServer}），正在重试…` });
        this.scheduleReconnect();
      });
    }, base / 2 + Math.random() * (base / 2));
  }

  private async register() {
    if (this.phone.registration === 'registering' && this.registerer.state === RegistererState.Registered) return;
    this.dispatch({ type: 'register_start' });
    try {
      await this.registerer.register({
        requestDelegate: {
          onReject: (response) => {
            const code = response.message.statusCode;
            this.dispatch({ type: 'register_failed', reason: code === 401 || code === 403 ? '话机账号或密码被拒绝（注册失败）' : `注册失败（SIP ${code}）` });
          },
        },
      });
    } catch {
      this.dispatch({ type: 'register_failed', reason: '注册请求未能发出，正在重试…' });
    }
  }

  private onInvite(invitation: Invitation) {
    const now = new Date().toISOString();
    const ok = this.dispatch({
      type: 'incoming',
      id: crypto.randomUUID(),
      remoteNumber: invitation.remoteIdentity.uri.user ?? '',
      remoteName: invitation.remoteIdentity.displayName ?? '',
      sipCallId: invitation.request.callId,
      at: now,
    });
    if (!ok) {
      void invitation.reject({ statusCode: 486 });
      return;
    }
    this.session = invitation;
    invitation.stateChange.addListener((s) => {
      const at = new Date().toISOString();
      if (s === SessionState.Established) {
        this.dispatch({ type: 'established', at });
        this.attachRemoteAudio(invitation);
      } else if (s === SessionState.Terminated) {
        this.dispatch({ type: 'remote_ended', at });
        this.finishCall(invitation);
      }
    });
  }

  /** Answer the ringing call. */
  async answer(): Promise<void> {
    const inv = this.session;
    if (!(inv instanceof Invitation) || !this.dispatch({ type: 'answer', at: new Date().toISOString() })) return;
    try {
      await inv.accept({ sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } });
    } catch (e) {
      const denied = e instanceof Error && /Permission|NotAllowed/i.test(e.name + e.message);
      this.dispatch({ type: 'answer_failed', reason: denied ? '无法使用麦克风：请允许控制台访问麦克风' : '接听失败，通话未能建立', at: new Date().toISOString() });
      this.finishCall(inv);
    }
  }

  /** Hang up (or decline, if still ringing). */
  async hangup(): Promise<void> {
    const s = this.session;
    if (!s) return;
    const at = new Date().toISOString();
    const ringing = this.phone.call?.phase === 'ringing';
    if (!this.dispatch({ type: ringing ? 'reject' : 'hangup', at })) return;
    try {
      if (s.state === SessionState.Established) await s.bye();
      else if (s instanceof Invitation && s.state === SessionState.Initial) await s.reject({ statusCode: 486 });
      else if (s instanceof Invitation) await s.reject();
    } catch {}
    this.finishCall(s);
  }

  private finishCall(s: Session) {
    if (this.session !== s) return;
    this.session = null;
    const call = this.phone.call;
    if (call && call.phase === 'ended') {
      this.opts.onCallEnded?.({
        direction: call.direction,
        callerNumber: call.remoteNumber || 'anonymous',
        calleeNumber: this.ua.configuration.uri.user ?? '',
        startedAt: call.startedAt,
        answeredAt: call.answeredAt,
        endedAt: call.endedAt ?? new Date().toISOString(),
        outcome: callOutcome(call),
        sipCallId: call.sipCallId,
      });
    }
    if (this.opts.remoteAudio) this.opts.remoteAudio.srcObject = null;
  }

  /** Forget the ended call (back to idle). */
  clearEndedCall() {
    this.dispatch({ type: 'clear' });
  }

  private attachRemoteAudio(s: Session) {
    const sdh = s.sessionDescriptionHandler as SessionDescriptionHandler | undefined;
    if (!sdh || !this.opts.remoteAudio) return;
    this.opts.remoteAudio.srcObject = sdh.remoteMediaStream;
    void this.opts.remoteAudio.play().catch(() => {});
  }

  /** Audio bytes sent and received on the live call (RTCPeerConnection.getStats). */
  async audioStats(): Promise<AudioStats | null> {
    const sdh = this.session?.sessionDescriptionHandler as SessionDescriptionHandler | undefined;
    const pc = sdh?.peerConnection;
    if (!pc) return null;
    let bytesSent = 0;
    let bytesReceived = 0;
    (await pc.getStats()).forEach((r: { type: string; kind?: string; bytesSent?: number; bytesReceived?: number }) => {
      if (r.type === 'outbound-rtp' && r.kind === 'audio') bytesSent += r.bytesSent ?? 0;
      if (r.type === 'inbound-rtp' && r.kind === 'audio') bytesReceived += r.bytesReceived ?? 0;
    });
    return { bytesSent, bytesReceived };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    try {
      if (this.session) await this.hangup();
      if (this.registerer.state === RegistererState.Registered) await this.registerer.unregister();
    } catch {}
    await this.ua.stop().catch(() => {});
    this.dispatch({ type: 'unregistered' });
  }
}

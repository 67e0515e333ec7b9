import {
  Invitation,
  Inviter,
  Registerer,
  RegistererState,
  SessionState,
  UserAgent,
  type Session,
} from 'sip.js';
import { defaultSessionDescriptionHandlerFactory, type SessionDescriptionHandler } from 'sip.js/lib/platform/web';
import type { SipAccount } from '../shared/auth';
import type { NewAgentStateChange, NewCallRecord } from '../shared/host-api';
import { acceptsCalls, agentTransition, defaultAgentConfig, initialAgentState, type AgentConfig, type AgentEvent, type AgentState } from './agent';
import { AudioDevices, type DeviceChoice } from './audio';
import { callOutcome, initialPhoneState, liveCalls, sipFailureMessage, transition, type CallState, type PhoneEvent, type PhoneState } from './machine';
import { QualityMeter } from './quality';

export interface SoftphoneOptions {
  account: SipAccount;
  /** Called once for every call that ends, with what the call record needs. */
  onCallEnded?: (record: NewCallRecord) => void;
  /** Called for every change of the operator's state (to record it and send it to the server). */
  onAgentChange?: (change: NewAgentStateChange) => void;
  /** Registration lifetime asked of the PBX, seconds. */
  registerExpires?: number;
  agent?: Partial<AgentConfig>;
  /** Answer by itself after a short tone (only when ready and on no other call). */
  autoAnswer?: { enabled: boolean; delayMs: number };
  /** Reconnect backoff: first wait and cap, ms (full jitter between half and all of it). */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /**
   * How often the link to the PBX is checked with an OPTIONS ping (default 1500 ms) and how long an
   * answer may take (default 1500 ms): a dead link is noticed within about 3.5 s. Kamailio answers these
   * statelessly; raise both for a PBX with thousands of consoles.
   */
  keepAliveMs?: number;
  keepAliveTimeoutMs?: number;
  devices?: DeviceChoice;
}

export interface AudioStats {
  bytesSent: number;
  bytesReceived: number;
}

export type DtmfMode = 'rfc4733' | 'info';

interface Line {
  session: Session;
  meter: QualityMeter;
  statsTimer: ReturnType<typeof setInterval> | null;
  audio: HTMLAudioElement;
  /** The microphone track sip.js put on the call (kept while a conference mix replaces it). */
  micTrack: MediaStreamTrack | null;
}

const now = () => new Date().toISOString();

/**
 * The operator's softphone: sip.js underneath, the state machines in
 * machine.ts (calls) and agent.ts (the operator's state) on top. React
 * renders `state` and `agent`; nothing else decides them.
 */
export class Softphone {
  private phone: PhoneState = initialPhoneState;
  private agentState: AgentState = initialAgentState(now());
  private readonly agentConfig: AgentConfig;
  private readonly listeners = new Set<(s: PhoneState, a: AgentState) => void>();
  private readonly ua: UserAgent;
  private readonly registerer: Registerer;
  private readonly lines = new Map<string, Line>();
  readonly devices: AudioDevices;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private reconnectAttempts = 0;
  private connecting = false;
  private registerInFlight = false;
  private lastRegisteredAt = 0;
  private keepAliveTimer: ReturnType<typeof setInterval> | null = null;
  private pingOutstanding: number | null = null;
  private lastPingAt = 0;
  private tickTimer: ReturnType<typeof setInterval> | null = null;
  private talkedSinceIdle = false;
  /** Established calls that must get a re-INVITE with ICE restart once the link is back. */
  private needsMediaRecovery = new Set<string>();
  private stopped = false;
  private readonly preopened = new Map<string, Promise<MediaStream>>();
  /** The call whose answer is being built (its pre-opened microphone goes to sip.js). */
  private answering: string | null = null;
  private conferenceMix: { ctx: AudioContext; nodes: AudioNode[] } | null = null;
  lastDialed: string | null = null;
  /** Last operator-facing error not tied to a call (zh-CN). */
  notice: string | null = null;

  constructor(private opts: SoftphoneOptions) {
    this.agentConfig = { ...defaultAgentConfig, ...opts.agent };
    this.devices = new AudioDevices(opts.devices, () => this.onDevicesChanged());
    const uri = UserAgent.makeURI(opts.account.uri);
    if (!uri) throw new Error(`无效的话机账号：${opts.account.uri}`);
    this.ua = new UserAgent({
      uri,
      displayName: opts.account.displayName || undefined,
      authorizationUsername: opts.account.authorizationUsername || undefined,
      authorizationPassword: opts.account.authorizationPassword || undefined,
      transportOptions: { server: opts.account.wsServer, connectionTimeout: 5 },
      // One reconnect routine, ours: sip.js's own (3 attempts by default) would race it.
      reconnectionAttempts: 0,
      logLevel: 'warn',
      sessionDescriptionHandlerFactory: defaultSessionDescriptionHandlerFactory((constraints) => this.microphone(constraints)),
      sessionDescriptionHandlerFactoryOptions: { peerConnectionConfiguration: { iceServers: [] }, iceGatheringTimeout: 2000 },
      delegate: {
        onInvite: (invitation) => this.onInvite(invitation),
        onConnect: () => {
          this.reconnectAttempts = 0;
          void this.register();
        },
        onDisconnect: (error) => {
          if (this.stopped) return;
          this.linkLost(error ? '与电话服务器的连接已断开，正在重连…' : undefined);
        },
      },
    });
    this.registerer = new Registerer(this.ua, { expires: opts.registerExpires ?? 300 });
    this.registerer.stateChange.addListener((s) => {
      if (s === RegistererState.Registered) this.onRegistered();
      else if (s === RegistererState.Unregistered && this.phone.registration === 'registered') this.dispatch({ type: 'unregistered' });
    });
  }

  get state(): PhoneState {
    return this.phone;
  }

  get agent(): AgentState {
    return this.agentState;
  }

  get config(): AgentConfig {
    return this.agentConfig;
  }

  subscribe(listener: (s: PhoneState, a: AgentState) => void): () => void {
    this.listeners.add(listener);
    listener(this.phone, this.agentState);
    return () => this.listeners.delete(listener);
  }

  private emit() {
    for (const l of this.listeners) l(this.phone, this.agentState);
  }

  private dispatch(event: PhoneEvent): boolean {
    const t = transition(this.phone, event);
    if (!t.ok) return false;
    this.phone = t.state;
    this.applyTracks();
    this.syncAgentWithCalls();
    this.emit();
    return true;
  }

  // ---- the operator's state -------------------------------------------------

  private agentDispatch(event: AgentEvent) {
    const before = this.agentState;
    const after = agentTransition(before, event, this.agentConfig);
    if (after === before) return;
    this.agentState = after;
    if (after.status !== before.status || after.reason !== before.reason) {
      this.opts.onAgentChange?.({
        state: after.status,
        reason: after.reason,
        at: after.since,
        previousState: before.status,
        previousMs: Math.max(0, Date.parse(after.since) - Date.parse(before.since)),
      });
    }
    this.emit();
  }

  private syncAgentWithCalls() {
    const live = liveCalls(this.phone);
    if (live.some((c) => c.answeredAt)) this.talkedSinceIdle = true;
    const talked = this.talkedSinceIdle;
    if (!live.length) this.talkedSinceIdle = false;
    const talking = live.some((c) => c.phase === 'in_call' || c.phase === 'answering' || c.phase === 'dialing');
    this.agentDispatch({ type: 'calls', ringing: live.some((c) => c.phase === 'ringing'), talking, talked, at: now() });
  }

  /** Auto-answer on or off, from the next call. */
  setAutoAnswer(autoAnswer: { enabled: boolean; delayMs: number }) {
    this.opts.autoAnswer = { ...autoAnswer };
  }

  setReady() {
    this.agentDispatch({ type: 'set_ready', at: now() });
  }

  setNotReady(reason: string) {
    this.agentDispatch({ type: 'set_not_ready', reason, at: now() });
  }

  extendWrapUp() {
    this.agentDispatch({ type: 'extend_wrap_up', at: now() });
  }

  endWrapUp() {
    this.agentDispatch({ type: 'end_wrap_up', at: now() });
  }

  // ---- connection and registration -------------------------------------------

  /** Connect to the PBX and register; reconnects by itself after a drop. */
  async start(): Promise<void> {
    this.stopped = false;
    this.agentDispatch({ type: 'login', at: now() });
    this.tickTimer = setInterval(() => this.agentDispatch({ type: 'tick', at: now() }), 500);
    this.keepAliveTimer = setInterval(() => this.checkLink(), 500);
    document.addEventListener('visibilitychange', this.onVisibility);
    await this.devices.start();
    this.dispatch({ type: 'register_start' });
    this.connecting = true;
    try {
      await this.ua.start();
    } catch {
      this.dispatch({ type: 'register_failed', reason: `无法连接电话服务器（${this.opts.account.wsServer}），正在重试…` });
      this.scheduleReconnect();
    } finally {
      this.connecting = false;
    }
  }

  private onVisibility = () => {
    // Timers of a hidden window may have been throttled: check the registration at once.
    if (document.visibilityState === 'visible') this.checkLink();
  };

  private linkLost(reason?: string) {
    if (this.stopped) return;
    for (const [id, line] of this.lines) if (line.session.state === SessionState.Established) this.needsMediaRecovery.add(id);
    this.registerInFlight = false;
    this.pingOutstanding = null;
    this.dispatch({ type: 'unregistered', reason: reason ?? '与电话服务器的连接已断开，正在重连…' });
    this.scheduleReconnect();
  }

  /** One reconnect routine with backoff and jitter; never two attempts in flight. */
  private scheduleReconnect() {
    if (this.stopped || this.reconnectTimer || this.connecting) return;
    const min = this.opts.reconnectMinMs ?? 500;
    const max = this.opts.reconnectMaxMs ?? 2000;
    const base = Math.min(max, min * 2 ** this.reconnectAttempts++);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.stopped || this.ua.isConnected()) return;
      this.connecting = true;
      this.ua
        .reconnect()
        .catch(() => {
          this.dispatch({ type: 'register_failed', reason: `无法连接电话服务器（${this.opts.account.wsServer}），正在重试…` });
        })
        .finally(() => {
          this.connecting = false;
          if (!this.ua.isConnected()) this.scheduleReconnect();
        });
    }, base / 2 + Math.random() * (base / 2));
  }

  private async register() {
    // Never two REGISTERs in flight (SIP.js #1071, #894).
    if (this.registerInFlight || this.stopped) return;
    this.registerInFlight = true;
    this.dispatch({ type: 'register_start' });
    try {
      await this.registerer.register({
        requestDelegate: {
          onAccept: () => {
            this.registerInFlight = false;
            this.onRegistered();
          },
          onReject: (response) => {
            this.registerInFlight = false;
            const code = response.message.statusCode;
            this.dispatch({ type: 'register_failed', reason: code === 401 || code === 403 ? '话机账号或密码被拒绝（注册失败）' : `注册失败（SIP ${code}）` });
          },
        },
      });
    } catch {
      this.registerInFlight = false;
      this.dispatch({ type: 'register_failed', reason: '注册请求未能发出，正在重试…' });
    }
  }

  private onRegistered() {
    this.lastRegisteredAt = Date.now();
    this.dispatch({ type: 'registered' });
    this.recoverMedia();
  }

  /**
   * Keep-alive: an OPTIONS ping to the PBX. No answer in time means the link is
   * dead even if the WebSocket has not noticed: drop it and reconnect. Also
   * refreshes the registration if a throttled timer let it age.
   */
  private checkLink() {
    if (this.stopped || !this.ua.isConnected()) return;
    if (this.pingOutstanding !== null) {
      if (Date.now() - this.pingOutstanding > (this.opts.keepAliveTimeoutMs ?? 1500)) {
        this.pingOutstanding = null;
        void this.ua.transport.disconnect().catch(() => {});
        this.linkLost('电话服务器无响应，正在重连…');
      }
      return;
    }
    const expires = (this.opts.registerExpires ?? 300) * 1000;
    if (this.phone.registration === 'registered' && Date.now() - this.lastRegisteredAt > expires / 2) void this.register();
    if (this.phone.registration !== 'registered' && this.phone.registration !== 'registering') void this.register();
    if (Date.now() - this.lastPingAt < (this.opts.keepAliveMs ?? 1500)) return;
    this.lastPingAt = Date.now();
    const core = this.ua.userAgentCore;
    const target = UserAgent.makeURI(`sip:${this.ua.configuration.uri.host}`)!;
    const started = Date.now();
    this.pingOutstanding = started;
    try {
      const msg = core.makeOutgoingRequestMessage('OPTIONS', target, this.ua.configuration.uri, target, {});
      core.request(msg, {
        onAccept: () => this.pingAnswered(started),
        onReject: () => this.pingAnswered(started),
      });
    } catch {
      this.pingOutstanding = null;
    }
  }

  private pingAnswered(started: number) {
    if (this.pingOutstanding === started) this.pingOutstanding = null;
  }

  /** After the link came back: a re-INVITE with ICE restart for every call that was live (SIP.js #1024, #1088). */
  private recoverMedia() {
    for (const id of [...this.needsMediaRecovery]) {
      this.needsMediaRecovery.delete(id);
      const line = this.lines.get(id);
      const call = this.phone.calls.find((c) => c.id === id);
      if (!line || !call || line.session.state !== SessionState.Established) continue;
      void this.reinvite(line.session, call.held, true).catch(() => {});
    }
  }

  private reinvite(session: Session, hold: boolean, iceRestart = false): Promise<boolean> {
    session.sessionDescriptionHandlerOptionsReInvite = {
      hold,
      ...(iceRestart ? { offerOptions: { iceRestart: true } } : {}),
    } as Session['sessionDescriptionHandlerOptionsReInvite'];
    return new Promise((resolve) => {
      session
        .invite({
          requestDelegate: { onAccept: () => resolve(true), onReject: () => resolve(false) },
        })
        .catch(() => resolve(false));
    });
  }

  // ---- calls -----------------------------------------------------------------

  private idOf(session: Session): string | undefined {
    for (const [id, l] of this.lines) if (l.session === session) return id;
    return undefined;
  }

  /**
   * The microphone for a call. A ringing call's microphone is opened while it
   * rings (opening it took 100–150 ms of every answer), and a refused
   * microphone is known before the operator answers.
   */
  private microphone(constraints: MediaStreamConstraints): Promise<MediaStream> {
    const next = this.answering ? this.preopened.get(this.answering) : undefined;
    if (next) {
      this.preopened.delete(this.answering!);
      this.answering = null;
      return next;
    }
    if (!constraints.audio && !constraints.video) return Promise.resolve(new MediaStream());
    return navigator.mediaDevices.getUserMedia(constraints);
  }

  private preopen(id: string) {
    if (this.preopened.has(id)) return;
    const p = navigator.mediaDevices.getUserMedia(this.mediaConstraints());
    p.catch(() => {});
    this.preopened.set(id, p);
  }

  private releasePreopened(id: string) {
    const p = this.preopened.get(id);
    if (!p) return;
    this.preopened.delete(id);
    void p.then((s) => s.getTracks().forEach((t) => t.stop())).catch(() => {});
  }

  private onInvite(invitation: Invitation) {
    if (!acceptsCalls(this.agentState)) {
      // Not ready / after-call work: the PBX (or ACD) gets 486 Busy Here and offers the call elsewhere.
      void invitation.reject({ statusCode: 486 });
      return;
    }
    const id = crypto.randomUUID();
    const ok = this.dispatch({
      type: 'incoming',
      id,
      remoteNumber: invitation.remoteIdentity.uri.user ?? '',
      remoteName: invitation.remoteIdentity.displayName ?? '',
      sipCallId: invitation.request.callId,
      at: now(),
    });
    if (!ok) {
      void invitation.reject({ statusCode: 486 });
      return;
    }
    this.track(id, invitation);
    this.preopen(id);
    // The ringtone starts once the ringing call is on screen.
    setTimeout(() => this.updateRinger(), 0);
    const auto = this.opts.autoAnswer;
    if (auto?.enabled && liveCalls(this.phone).length === 1) {
      this.devices.beep();
      setTimeout(() => void this.answer(id), auto.delayMs);
    }
  }

  private track(id: string, session: Session) {
    const audio = document.createElement('audio');
    audio.autoplay = true;
    audio.dataset.callId = id;
    document.body.appendChild(audio);
    const line: Line = { session, meter: new QualityMeter(), statsTimer: null, audio, micTrack: null };
    this.lines.set(id, line);
    session.delegate = {
      onBye: (bye) => void bye.accept(),
    };
    session.stateChange.addListener((s) => {
      if (s === SessionState.Established) {
        this.dispatch({ type: 'established', id, at: now() });
        this.attachMedia(id);
        this.updateRinger();
      } else if (s === SessionState.Terminated) {
        const ended = () => {
          this.dispatch({ type: 'remote_ended', id, at: now() });
          this.finishCall(id);
        };
        // sip.js ends an outbound call before it tells the request delegate why (404, 486…): let onReject speak first.
        if (session instanceof Inviter || this.phone.calls.find((c) => c.id === id)?.phase === 'answering') setTimeout(ended, 0);
        else ended();
      }
    });
  }

  private updateRinger() {
    this.devices.ring(liveCalls(this.phone).some((c) => c.phase === 'ringing'));
  }

  private mediaConstraints(): MediaStreamConstraints {
    return { audio: this.devices.micConstraint(), video: false };
  }

  /** Answer the ringing call (the waiting one, when two ring). Another talking call goes on hold first. */
  async answer(id?: string): Promise<void> {
    const target = id ?? liveCalls(this.phone).find((c) => c.phase === 'ringing')?.id;
    const line = target ? this.lines.get(target) : undefined;
    const inv = line?.session;
    if (!target || !(inv instanceof Invitation)) return;
    for (const c of liveCalls(this.phone)) if (c.id !== target && c.phase === 'in_call' && !c.held && !this.phone.conference) await this.hold(true, c.id);
    if (this.phone.calls.find((c) => c.id === target)?.phase !== 'ringing') return;
    // sip.js starts on the microphone and the answer before anything renders.
    this.answering = target;
    const accepted = inv.accept({ sessionDescriptionHandlerOptions: { constraints: this.mediaConstraints() } });
    this.dispatch({ type: 'answer', id: target, at: now() });
    this.updateRinger();
    try {
      await accepted;
      this.answering = null;
    } catch (e) {
      this.answering = null;
      this.dispatch({ type: 'answer_failed', id: target, reason: mediaError(e) ?? '接听失败，通话未能建立', at: now() });
      this.finishCall(target);
    }
  }

  /** Dial a number (dial pad, click-to-dial, redial). A talking call goes on hold first. */
  async dial(number: string, consultFor: string | null = null): Promise<string | null> {
    const digits = number.replace(/[\s-]/g, '');
    if (!/^[0-9*#+]{1,32}$/.test(digits)) {
      this.setNotice('号码格式不正确');
      return null;
    }
    if (this.phone.registration !== 'registered') {
      this.setNotice('话机未注册，暂时无法外呼');
      return null;
    }
    for (const c of liveCalls(this.phone)) if (c.phase === 'in_call' && !c.held) await this.hold(true, c.id);
    const target = UserAgent.makeURI(`sip:${digits}@${this.ua.configuration.uri.host}`);
    if (!target) return null;
    const id = crypto.randomUUID();
    const inviter = new Inviter(this.ua, target, { sessionDescriptionHandlerOptions: { constraints: this.mediaConstraints() } });
    if (!this.dispatch({ type: 'dial', id, remoteNumber: digits, sipCallId: inviter.request.callId, consultFor, at: now() })) {
      this.setNotice('当前线路忙，无法外呼');
      return null;
    }
    this.lastDialed = digits;
    this.setNotice(null);
    this.track(id, inviter);
    try {
      await inviter.invite({
        requestDelegate: {
          onProgress: (r) => {
            if ((r.message.statusCode ?? 0) >= 180) this.dispatch({ type: 'progress', id });
          },
          onReject: (r) => {
            this.dispatch({ type: 'answer_failed', id, reason: sipFailureMessage(r.message.statusCode, r.message.reasonPhrase), code: r.message.statusCode, at: now() });
          },
        },
      });
    } catch (e) {
      this.dispatch({ type: 'answer_failed', id, reason: mediaError(e) ?? '呼叫未能发出', at: now() });
      this.finishCall(id);
    }
    return id;
  }

  async redial(): Promise<string | null> {
    if (!this.lastDialed) {
      this.setNotice('没有可重拨的号码');
      return null;
    }
    return this.dial(this.lastDialed);
  }

  /** Hang up (or decline, if ringing; or cancel, if dialling) the active call, or call `id`. */
  async hangup(id?: string): Promise<void> {
    const call = this.callOf(id);
    if (!call) return;
    const s = this.lines.get(call.id)?.session;
    if (!s) return;
    // A last quality sample while the media is still up, for the call record.
    if (call.phase === 'in_call') await this.sampleQuality(call.id).catch(() => {});
    if (!this.dispatch({ type: call.phase === 'ringing' ? 'reject' : 'hangup', id: call.id, at: now() })) return;
    try {
      if (s.state === SessionState.Established) await s.bye();
      else if (s instanceof Inviter) await s.cancel();
      else if (s instanceof Invitation) await s.reject({ statusCode: 486 });
    } catch {}
    this.finishCall(call.id);
  }

  private callOf(id?: string): CallState | undefined {
    return this.phone.calls.find((c) => c.id === (id ?? this.phone.activeId) && c.phase !== 'ended');
  }

  /** Hold or resume; the state says "held" only once the re-INVITE was accepted (SIP.js #685, #543). */
  async hold(on: boolean, id?: string): Promise<boolean> {
    const call = this.callOf(id);
    const line = call && this.lines.get(call.id);
    if (!call || !line || !this.dispatch({ type: 'hold', id: call.id, hold: on })) return false;
    const ok = await this.reinvite(line.session, on);
    this.dispatch({ type: 'hold_result', id: call.id, hold: on, ok });
    if (!ok) this.setNotice(on ? '保持失败，通话仍在进行' : '恢复通话失败，请重试');
    else if (!on) this.playRemote(call.id);
    return ok;
  }

  toggleHold() {
    const c = this.callOf();
    if (c) void this.hold(!c.held, c.id);
  }

  /** Mute the microphone on the active call (and in a conference, for everyone). */
  mute(on: boolean, id?: string) {
    const call = this.callOf(id);
    if (!call) return;
    const targets = this.phone.conference ? liveCalls(this.phone) : [call];
    for (const c of targets) this.dispatch({ type: 'mute', id: c.id, muted: on });
  }

  toggleMute() {
    const c = this.callOf();
    if (c) this.mute(!c.muted, c.id);
  }

  /** DTMF on the active call: RFC 4733 telephone-events in the media, or SIP INFO. */
  async sendDtmf(tones: string, mode: DtmfMode = 'rfc4733'): Promise<boolean> {
    const call = this.callOf();
    const s = call && this.lines.get(call.id)?.session;
    if (!s || s.state !== SessionState.Established || !/^[0-9A-D*#,]+$/i.test(tones)) return false;
    if (mode === 'rfc4733') {
      const sdh = s.sessionDescriptionHandler as SessionDescriptionHandler | undefined;
      return sdh?.sendDtmf(tones, { duration: 100, interToneGap: 70 }) ?? false;
    }
    for (const tone of tones) {
      await s.info({ requestOptions: { body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: `Signal=${tone}\r\nDuration=100` } } });
    }
    return true;
  }

  /** Blind transfer: REFER the caller to `number`; our leg ends once the PBX/peer accepts. */
  async blindTransfer(number: string): Promise<boolean> {
    const call = this.callOf();
    const s = call && this.lines.get(call.id)?.session;
    const target = UserAgent.makeURI(`sip:${number.replace(/[\s-]/g, '')}@${this.ua.configuration.uri.host}`);
    if (!call || !s || !target || s.state !== SessionState.Established) return false;
    return this.referAndLeave(call.id, s, target);
  }

  private referAndLeave(id: string, s: Session, target: Parameters<Session['refer']>[0]): Promise<boolean> {
    return new Promise((resolve) => {
      s.refer(target, {
        requestDelegate: {
          onAccept: () => {
            this.dispatch({ type: 'transferred', id, at: now() });
            void s.bye().catch(() => {});
            this.finishCall(id);
            resolve(true);
          },
          onReject: (r) => {
            this.setNotice(`转接失败：${sipFailureMessage(r.message.statusCode, r.message.reasonPhrase)}`);
            resolve(false);
          },
        },
      }).catch(() => {
        this.setNotice('转接失败');
        resolve(false);
      });
    });
  }

  /** Attended transfer, step 1: the caller on hold, dial the third party. */
  async consult(number: string): Promise<string | null> {
    const call = this.callOf();
    if (!call || call.phase !== 'in_call' || call.consultFor) return null;
    if (!call.held && !(await this.hold(true, call.id))) return null;
    return this.dial(number, call.id);
  }

  private consultPair(): { parent: CallState; consult: CallState } | null {
    const consult = liveCalls(this.phone).find((c) => c.consultFor);
    const parent = consult && liveCalls(this.phone).find((c) => c.id === consult.consultFor);
    return consult && parent ? { parent, consult } : null;
  }

  /** Attended transfer, step 2: connect the caller to the third party (REFER with Replaces). */
  async completeTransfer(): Promise<boolean> {
    const pair = this.consultPair();
    if (!pair || pair.consult.phase !== 'in_call') return false;
    const parent = this.lines.get(pair.parent.id)!.session;
    const consult = this.lines.get(pair.consult.id)!.session;
    this.endConference();
    // Refer-To: the third party's address of record with Replaces (RFC 3891), not
    // its Contact: a WebRTC phone's Contact is a '.invalid' host only the proxy's
    // connection alias can reach, and a new INVITE to it would not be routed.
    const dialog = consult.dialog;
    if (!dialog) return false;
    const replaces = { dialog: { remoteTarget: consult.remoteIdentity.uri, callId: dialog.callId, remoteTag: dialog.remoteTag, localTag: dialog.localTag }, remoteIdentity: consult.remoteIdentity };
    const ok = await this.referAndLeave(pair.parent.id, parent, replaces as unknown as Session);
    if (ok) {
      // The third party replaces our leg and sends BYE; if it does not, we leave anyway.
      setTimeout(() => {
        if (consult.state === SessionState.Established) void this.hangup(pair.consult.id);
      }, 4000);
    }
    return ok;
  }

  /** Attended transfer, cancelled: hang up the third party and take the caller back. */
  async cancelTransfer(): Promise<void> {
    const pair = this.consultPair();
    if (!pair) return;
    await this.hangup(pair.consult.id);
    this.dispatch({ type: 'focus', id: pair.parent.id });
    if (this.callOf(pair.parent.id)?.held) await this.hold(false, pair.parent.id);
  }

  /**
   * Three-way conference mixed here with Web Audio (the reference PBX has no
   * conference bridge): each party hears the operator's microphone plus the
   * other party.
   */
  async conference(): Promise<boolean> {
    const talking = liveCalls(this.phone).filter((c) => c.phase === 'in_call');
    if (talking.length !== 2 || this.phone.conference) return false;
    for (const c of talking) if (c.held && !(await this.hold(false, c.id))) return false;
    const [a, b] = talking.map((c) => this.lines.get(c.id)!);
    const pcA = peerConnection(a!.session);
    const pcB = peerConnection(b!.session);
    if (!pcA || !pcB) return false;
    const ctx = new AudioContext();
    await ctx.resume().catch(() => {});
    const senderA = pcA.getSenders().find((s) => s.track?.kind === 'audio' || s.track === null);
    const senderB = pcB.getSenders().find((s) => s.track?.kind === 'audio' || s.track === null);
    a!.micTrack ??= senderA?.track ?? null;
    b!.micTrack ??= senderB?.track ?? null;
    if (!a!.micTrack || !senderA || !senderB) return false;
    const mic = ctx.createMediaStreamSource(new MediaStream([a!.micTrack]));
    const remoteA = ctx.createMediaStreamSource(remoteStream(pcA));
    const remoteB = ctx.createMediaStreamSource(remoteStream(pcB));
    const toA = ctx.createMediaStreamDestination();
    const toB = ctx.createMediaStreamDestination();
    mic.connect(toA);
    mic.connect(toB);
    remoteB.connect(toA);
    remoteA.connect(toB);
    await senderA.replaceTrack(toA.stream.getAudioTracks()[0]!);
    await senderB.replaceTrack(toB.stream.getAudioTracks()[0]!);
    this.conferenceMix = { ctx, nodes: [mic, remoteA, remoteB, toA, toB] };
    return this.dispatch({ type: 'conference', on: true });
  }

  private endConference() {
    const mix = this.conferenceMix;
    if (!mix) return;
    this.conferenceMix = null;
    for (const line of this.lines.values()) {
      const pc = peerConnection(line.session);
      const sender = pc?.getSenders().find((s) => s.track?.kind === 'audio');
      if (sender && line.micTrack && pc?.connectionState !== 'closed') void sender.replaceTrack(line.micTrack).catch(() => {});
    }
    void mix.ctx.close().catch(() => {});
    this.dispatch({ type: 'conference', on: false });
  }

  /** Switch the operator's focus to another line (the other goes on hold, this one resumes). */
  async swap(): Promise<void> {
    const live = liveCalls(this.phone).filter((c) => c.phase === 'in_call');
    const other = live.find((c) => c.id !== this.phone.activeId);
    if (!other || this.phone.conference) return;
    const current = this.callOf();
    if (current && !current.held) await this.hold(true, current.id);
    this.dispatch({ type: 'focus', id: other.id });
    if (other.held) await this.hold(false, other.id);
  }

  /**
   * What the microphone sends: nothing to a held party (sip.js's hold only
   * changes the SDP direction; the operator's voice would still reach the held
   * caller), nothing when muted. In a conference the senders carry the mix and
   * muting silences the microphone that feeds it.
   */
  private applyTracks() {
    for (const c of liveCalls(this.phone)) {
      const line = this.lines.get(c.id);
      if (!line) continue;
      const senders = this.senderTracks(line);
      if (this.conferenceMix) {
        for (const t of senders) t.enabled = true;
        if (line.micTrack) line.micTrack.enabled = !c.muted;
      } else {
        for (const t of senders) t.enabled = !c.held && !c.holdPending && !c.muted;
      }
    }
  }

  private senderTracks(line: Line | undefined): MediaStreamTrack[] {
    const pc = line && peerConnection(line.session);
    return pc ? pc.getSenders().flatMap((s) => (s.track?.kind === 'audio' ? [s.track] : [])) : [];
  }

  private attachMedia(id: string) {
    const line = this.lines.get(id);
    const pc = line && peerConnection(line.session);
    if (!line || !pc) return;
    line.micTrack = pc.getSenders().find((s) => s.track?.kind === 'audio')?.track ?? null;
    if (line.micTrack) this.devices.watchMic(line.micTrack);
    this.playRemote(id);
    setTimeout(() => void this.sampleQuality(id), 1000);
    line.statsTimer = setInterval(() => void this.sampleQuality(id), 2000);
  }

  private playRemote(id: string) {
    const line = this.lines.get(id);
    const pc = line && peerConnection(line.session);
    if (!line || !pc) return;
    line.audio.srcObject = remoteStream(pc);
    void this.devices.applyOutput(line.audio);
    void line.audio.play().catch(() => {});
  }

  private async sampleQuality(id: string) {
    const line = this.lines.get(id);
    const pc = line && peerConnection(line.session);
    const call = this.phone.calls.find((c) => c.id === id);
    // A held call receives nothing by design: no sample.
    if (!line || !pc || pc.connectionState === 'closed' || !call || call.held || call.holdPending) return;
    let packetsReceived = 0;
    let packetsLost = 0;
    let jitterS = 0;
    let rttS: number | null = null;
    (await pc.getStats()).forEach((r: Record<string, unknown>) => {
      if (r.type === 'inbound-rtp' && r.kind === 'audio') {
        packetsReceived += Number(r.packetsReceived ?? 0);
        packetsLost += Math.max(0, Number(r.packetsLost ?? 0));
        jitterS = Math.max(jitterS, Number(r.jitter ?? 0));
      } else if (r.type === 'remote-inbound-rtp' && r.kind === 'audio' && typeof r.roundTripTime === 'number') {
        rttS = r.roundTripTime;
      } else if (r.type === 'candidate-pair' && r.nominated && typeof r.currentRoundTripTime === 'number' && rttS === null) {
        rttS = r.currentRoundTripTime;
      }
    });
    const q = line.meter.add({ packetsReceived, packetsLost, jitterS, rttS });
    this.dispatch({ type: 'quality', id, quality: q });
  }

  private finishCall(id: string) {
    this.releasePreopened(id);
    const line = this.lines.get(id);
    if (!line) return;
    this.lines.delete(id);
    if (line.statsTimer) clearInterval(line.statsTimer);
    this.needsMediaRecovery.delete(id);
    if (this.conferenceMix) this.endConference();
    line.audio.srcObject = null;
    line.audio.remove();
    this.updateRinger();
    const call = this.phone.calls.find((c) => c.id === id) ?? null;
    if (call && call.phase === 'ended') {
      const own = this.ua.configuration.uri.user ?? '';
      const q = line.meter.summary();
      this.opts.onCallEnded?.({
        direction: call.direction,
        callerNumber: (call.direction === 'inbound' ? call.remoteNumber : own) || 'anonymous',
        calleeNumber: call.direction === 'inbound' ? own : call.remoteNumber,
        startedAt: call.startedAt,
        answeredAt: call.answeredAt,
        endedAt: call.endedAt ?? now(),
        outcome: callOutcome(call),
        sipCallId: call.sipCallId,
        quality: call.answeredAt && q ? q : null,
      });
    }
  }

  /** Forget the ended call (back to idle). */
  clearEndedCall() {
    this.dispatch({ type: 'clear' });
  }

  private setNotice(text: string | null) {
    this.notice = text;
    this.emit();
  }

  private onDevicesChanged() {
    // A headset plugged in or out: live calls follow the chosen (or default) devices.
    for (const [id, line] of this.lines) {
      this.playRemote(id);
      void this.devices.followMic(line.micTrack, peerConnection(line.session)).then((t) => {
        if (t) line.micTrack = t;
      });
    }
    this.emit();
  }

  /** Apply a new device choice now, mid-call too (SIP.js #748). */
  async chooseDevices(choice: DeviceChoice) {
    this.devices.choose(choice);
    this.onDevicesChanged();
  }

  /** Audio bytes sent and received on the active call (RTCPeerConnection.getStats). */
  async audioStats(id?: string): Promise<AudioStats | null> {
    const call = this.callOf(id);
    const line = call && this.lines.get(call.id);
    const pc = line && peerConnection(line.session);
    if (!pc) return null;
    let bytesSent = 0;
    let bytesReceived = 0;
    (await pc.getStats()).forEach((r: { type: string; kind?: string; bytesSent?: number; bytesReceived?: number }) => {
      if (r.type === 'outbound-rtp' && r.kind === 'audio') bytesSent += r.bytesSent ?? 0;
      if (r.type === 'inbound-rtp' && r.kind === 'audio') bytesReceived += r.bytesReceived ?? 0;
    });
    return { bytesSent, bytesReceived };
  }

  /** Live microphone level, 0…1. */
  micLevel(): number {
    return this.devices.level();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    if (this.tickTimer) clearInterval(this.tickTimer);
    document.removeEventListener('visibilitychange', this.onVisibility);
    try {
      for (const c of liveCalls(this.phone)) await this.hangup(c.id);
      if (this.registerer.state === RegistererState.Registered) await this.registerer.unregister();
    } catch {}
    await this.ua.stop().catch(() => {});
    this.devices.stop();
    this.agentDispatch({ type: 'logout', at: now() });
    this.dispatch({ type: 'unregistered' });
  }
}

function peerConnection(s: Session): RTCPeerConnection | undefined {
  return (s.sessionDescriptionHandler as SessionDescriptionHandler | undefined)?.peerConnection;
}

function remoteStream(pc: RTCPeerConnection): MediaStream {
  return new MediaStream(pc.getReceivers().flatMap((r) => (r.track.kind === 'audio' ? [r.track] : [])));
}

/** A getUserMedia / negotiation failure as the operator should read it, or null. */
function mediaError(e: unknown): string | null {
  const text = e instanceof Error ? `${e.name} ${e.message}` : String(e);
  if (/NotAllowed|Permission|denied/i.test(text)) return '无法使用麦克风：请允许控制台访问麦克风';
  if (/NotFound|DevicesNotFound|Requested device not found/i.test(text)) return '未找到麦克风，请插入耳麦';
  if (/NotReadable|TrackStart|Could not start/i.test(text)) return '麦克风被占用或无法打开';
  if (/setRemoteDescription|codec|m-line|SDP/i.test(text)) return '语音编码不兼容，无法建立通话';
  return null;
}

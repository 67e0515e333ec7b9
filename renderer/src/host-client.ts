import { hostApi, hostEvents, HostError, type HostEvent, type HostMethod, type HostParams, type HostResult } from '../../src/shared/host-api';

/** What Electron's preload exposes as `window.qingyu` (see electron/preload.ts). */
export interface HostBridge {
  invoke(method: string, params: unknown): Promise<unknown>;
  onEvent(listener: (event: string, payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    qingyu?: HostBridge;
  }
}

export class HostCallError extends Error {
  constructor(
    readonly code: HostError['code'],
    message: string,
    /** Messages by form field ('invalid_input'), shown at the field. */
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}

type Listener = (event: HostEvent, payload: unknown) => void;
const CALL_TIMEOUT_MS = 20_000;

/**
 * The renderer's only way to the console host. In Electron it goes through
 * the preload bridge; in browser mode over the loopback WebSocket with the
 * launch token. Either way the same contract, validated on arrival.
 */
export class HostClient {
  private ws: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>();
  private readonly listeners = new Set<Listener>();
  private readonly connListeners = new Set<(up: boolean) => void>();
  private opening: Promise<void> | null = null;
  private readonly bridge: HostBridge | undefined;
  private readonly wsUrl: string | null;

  constructor() {
    this.bridge = window.qingyu;
    if (this.bridge) {
      this.wsUrl = null;
      this.bridge.onEvent((event, payload) => this.deliver(event, payload));
    } else {
      const params = new URLSearchParams(location.search);
      const token = params.get('token') ?? sessionStorage.getItem('qingyu.hostToken') ?? '';
      if (params.has('token')) {
        sessionStorage.setItem('qingyu.hostToken', token);
        params.delete('token');
        const rest = params.toString();
        history.replaceState(null, '', location.pathname + (rest ? `?${rest}` : ''));
      }
      const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
      this.wsUrl = `${scheme}://${location.host}/host?token=${encodeURIComponent(token)}`;
    }
  }

  get transport(): 'electron' | 'browser' {
    return this.bridge ? 'electron' : 'browser';
  }

  onEvent(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  onConnection(l: (up: boolean) => void): () => void {
    this.connListeners.add(l);
    return () => this.connListeners.delete(l);
  }

  private deliver(event: string, payload: unknown) {
    if (!Object.hasOwn(hostEvents, event)) return;
    const parsed = hostEvents[event as HostEvent].safeParse(payload);
    if (!parsed.success) return;
    for (const l of this.listeners) l(event as HostEvent, parsed.data);
  }

  private open(): Promise<void> {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) return Promise.resolve();
    if (this.opening) return this.opening;
    this.opening = new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(this.wsUrl!);
      ws.onopen = () => {
        this.ws = ws;
        this.opening = null;
        for (const l of this.connListeners) l(true);
        resolve();
      };
      ws.onmessage = (m) => this.onMessage(String(m.data));
      ws.onclose = (ev) => {
        this.opening = null;
        const wasOpen = this.ws === ws;
        this.ws = null;
        for (const [id, p] of this.pending) {
          clearTimeout(p.timer);
          p.reject(new HostCallError('internal', '与控制台主程序的连接已断开'));
          this.pending.delete(id);
        }
        if (wasOpen) for (const l of this.connListeners) l(false);
        if (ev.code === 4401) reject(new HostCallError('unauthenticated', '控制台访问令牌无效：请使用启动时打印的完整地址打开'));
        else reject(new HostCallError('internal', '无法连接控制台主程序'));
        if (wasOpen) setTimeout(() => void this.open().catch(() => {}), 1000);
      };
    });
    return this.opening;
  }

  private onMessage(text: string) {
    let msg: any;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof msg?.event === 'string') {
      this.deliver(msg.event, msg.payload);
      return;
    }
    const p = typeof msg?.id === 'number' ? this.pending.get(msg.id) : undefined;
    if (!p) return;
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.ok === true) p.resolve(msg.result);
    else {
      const err = HostError.safeParse(msg.error);
      p.reject(err.success ? new HostCallError(err.data.code, err.data.message, err.data.fields) : new HostCallError('internal', '控制台返回了无法识别的应答'));
    }
  }

  async call<M extends HostMethod>(method: M, params: HostParams<M>): Promise<HostResult<M>> {
    let raw: unknown;
    if (this.bridge) {
      const r = (await this.bridge.invoke(method, params)) as { ok: boolean; result?: unknown; error?: unknown };
      if (!r?.ok) {
        const err = HostError.safeParse(r?.error);
        throw err.success ? new HostCallError(err.data.code, err.data.message, err.data.fields) : new HostCallError('internal', '控制台返回了无法识别的应答');
      }
      raw = r.result;
    } else {
      await this.open();
      const id = this.nextId++;
      raw = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new HostCallError('internal', '控制台主程序未响应，请稍后重试'));
        }, CALL_TIMEOUT_MS);
        this.pending.set(id, { resolve, reject, timer });
        this.ws!.send(JSON.stringify({ id, method, params }));
      });
    }
    const parsed = hostApi[method].result.safeParse(raw);
    if (!parsed.success) throw new HostCallError('internal', '控制台返回了格式不正确的数据');
    return parsed.data as HostResult<M>;
  }
}

export const host = new HostClient();

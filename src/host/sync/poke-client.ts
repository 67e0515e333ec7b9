import WebSocket from 'ws';
import { PokeMessage } from '../../shared/sync-changes';

const MIN_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

/**
 * The console's end of `GET /api/sync/poke`: calls `onPoke` whenever the
 * server announces a commit, and reports whether the socket is up, so the
 * pull client polls only while it is down. Reconnects with backoff and jitter.
 */
export class PokeClient {
  private socket: WebSocket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private stopped = true;
  private token: string | null = null;

  constructor(
    private readonly baseUrl: () => string,
    private readonly onPoke: () => void,
    private readonly onLive: (live: boolean) => void,
  ) {}

  get live(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Connect with this token (or disconnect with null); a new token reconnects. */
  use(token: string | null) {
    if (token === this.token && (this.socket || this.timer || !token)) return;
    this.token = token;
    this.stopped = !token;
    this.close();
    if (token) this.connect();
  }

  stop() {
    this.stopped = true;
    this.token = null;
    this.close();
  }

  private close() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.removeAllListeners();
      s.on('error', () => {});
      s.terminate();
      this.onLive(false);
    }
  }

  private connect() {
    if (this.stopped || !this.token) return;
    const url = new URL('/api/sync/poke', this.baseUrl());
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const s = new WebSocket(url, { headers: { authorization: `Bearer ${this.token}` }, handshakeTimeout: 10_000 });
    this.socket = s;
    s.on('open', () => {
      this.failures = 0;
      this.onLive(true);
    });
    s.on('message', (data) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(data));
      } catch {
        return;
      }
      if (PokeMessage.safeParse(parsed).success) this.onPoke();
    });
    const lost = () => {
      if (this.socket !== s) return;
      this.socket = null;
      s.removeAllListeners();
      s.on('error', () => {});
      this.onLive(false);
      if (this.stopped) return;
      this.failures++;
      const base = Math.min(MAX_RETRY_MS, MIN_RETRY_MS * 2 ** (this.failures - 1));
      this.timer = setTimeout(() => {
        this.timer = null;
        this.connect();
      }, base / 2 + Math.random() * (base / 2));
      this.timer.unref?.();
    };
    s.on('close', lost);
    s.on('error', lost);
  }
}

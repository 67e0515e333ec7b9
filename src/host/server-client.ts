import { createWriteStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { ApiError, LoginResponse, UserInfo } from '../shared/auth';
import { PushResponse, type Mutation } from '../shared/sync';
import { PullResponse } from '../shared/sync-changes';
import { TicketSearchResponse } from '../shared/ticket-merge';
import { CallerHistoryResponse, ReferenceBundle } from '../shared/ticket-wire';
import { HostFailure } from './errors';

const TIMEOUT_MS = 10_000;
/** A snapshot of 100,000 articles is some 500 MB. */
const SNAPSHOT_TIMEOUT_MS = 10 * 60_000;

/** 429 or 503 from the server, with how long it asked us to wait (Retry-After). */
export class ServerBusy extends HostFailure {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super('server_error', message);
  }
}

/** The console's HTTP client for the central server. Every failure becomes a HostFailure with a Chinese message. */
export class ServerClient {
  constructor(
    public baseUrl: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  login(username: string, password: string) {
    return this.request('POST', '/api/login', LoginResponse, { username, password });
  }

  me(token: string) {
    return this.request('GET', '/api/me', UserInfo, undefined, token);
  }

  push(token: string, clientId: string, mutations: Mutation[]) {
    return this.request('POST', '/api/sync/push', PushResponse, { clientId, mutations }, token);
  }

  /** The reference bundle, or undefined when the console's `since` version is current (204). */
  reference(token: string, since: number | null) {
    return this.request('GET', `/api/reference${since === null ? '' : `?since=${since}`}`, ReferenceBundle.optional(), undefined, token);
  }

  /** A caller's tickets and calls on the server (the server audits the look-up). */
  callerHistory(token: string, phone: string) {
    return this.request('GET', `/api/callers/${encodeURIComponent(phone)}/history`, CallerHistoryResponse, undefined, token);
  }

  /** Tickets on the server in this operator's scope (a search by phone is audited there). */
  searchTickets(token: string, q: string, limit: number) {
    return this.request('GET', `/api/tickets/search?q=${encodeURIComponent(q)}&limit=${limit}`, TicketSearchResponse, undefined, token);
  }

  /** One page of the change log in this operator's scope, after `since`. */
  pull(token: string, since: number, limit?: number, kbAfter = 0) {
    return this.request('GET', `/api/sync/pull?since=${since}${limit ? `&limit=${limit}` : ''}${kbAfter ? `&kbAfter=${kbAfter}` : ''}`, PullResponse, undefined, token);
  }

  /**
   * Download the knowledge-base snapshot into `file`; its change-log version,
   * or null when the server has none (404: pull article by article).
   */
  async kbSnapshot(token: string, file: string): Promise<{ version: number; bytes: number } | null> {
    let res: Response;
    try {
      res = await this.fetchImpl(new URL('/api/kb/snapshot', this.baseUrl), {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(SNAPSHOT_TIMEOUT_MS),
      });
    } catch {
      throw this.unreachable();
    }
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    const version = Number(res.headers.get('x-qingyu-kb-version'));
    const length = Number(res.headers.get('content-length'));
    if (!res.ok || !res.body || !Number.isSafeInteger(version) || version <= 0) {
      await res.body?.cancel();
      throw new HostFailure('server_error', `知识库快照下载失败（HTTP ${res.status}）`);
    }
    try {
      await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(file));
    } catch {
      throw new HostFailure('server_unreachable', '知识库快照下载中断，将逐条同步');
    }
    const bytes = statSync(file).size;
    if (Number.isFinite(length) && length > 0 && bytes !== length) throw new HostFailure('server_error', `知识库快照不完整（${bytes} / ${length} 字节）`);
    return { version, bytes };
  }

  private unreachable(): HostFailure {
    return new HostFailure('server_unreachable', `无法连接中心服务器（${this.baseUrl}），请检查网络`);
  }

  private async request<T extends z.ZodType>(method: string, route: string, schema: T, body?: unknown, token?: string): Promise<z.infer<T>> {
    let res: Response;
    try {
      res = await this.fetchImpl(new URL(route, this.baseUrl), {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch {
      throw this.unreachable();
    }
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {}
    if (!res.ok) {
      const err = ApiError.safeParse(json);
      const message = err.success ? err.data.message : `中心服务器返回错误（HTTP ${res.status}）`;
      if (res.status === 401) {
        const code = err.success && err.data.error === 'invalid_credentials' ? 'invalid_credentials' : 'unauthenticated';
        throw new HostFailure(code, message);
      }
      if (res.status === 429 || res.status === 503) {
        // The server sheds load or its database is down: it says when to come back.
        const seconds = Number(res.headers.get('retry-after'));
        throw new ServerBusy(message, Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 300) * 1000 : 5_000);
      }
      if (res.status >= 500) throw new HostFailure('server_error', message);
      throw new HostFailure('bad_request', message);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new HostFailure('server_error', '中心服务器的应答格式不正确');
    return parsed.data;
  }
}

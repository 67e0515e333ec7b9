import type Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import type { UserInfo } from '../shared/auth';
import { coreApi, hostApi, type HostApi, type HostError, type HostEvent, type HostMethod, type HostParams, type HostResult, type SyncStatus } from '../shared/host-api';
import { recordAgentState } from './agent-state';
import { recentCalls, recordCall } from './calls';
import type { AreaHandlers, HostContext, StoredSession } from './context';
import { kbHandlers } from './kb/handlers';
import { ticketHandlers } from './tickets/handlers';
import { openConsoleDb } from './db/open';
import { HostFailure } from './errors';
import { OutboxSync } from './outbox';
import { ServerClient } from './server-client';
import { Settings } from './settings';
import { PullSync } from './sync/pull';
import { rejectedItems } from './sync/rejections';

export interface HostOptions {
  dbPath: string;
  serverUrl: string;
  transport: 'electron' | 'browser';
  version?: string;
}

type Handlers = AreaHandlers<HostApi>;

export type HostEventListener = (event: HostEvent, payload: unknown) => void;

/**
 * The console host: owns the SQLite file, the session with the central
 * server and the outbox. Both transports call `dispatch`, which validates
 * every message against the contract in src/shared/host-api.ts.
 */
export class ConsoleHost {
  readonly db: Database.Database;
  readonly server: ServerClient;
  readonly sync: OutboxSync;
  /** Changes down: the server's change log into this console (tickets in scope, the knowledge base, reference data). */
  readonly pull: PullSync;
  private readonly settings: Settings;
  private readonly listeners = new Set<HostEventListener>();
  private closed = false;

  constructor(private readonly opts: HostOptions) {
    this.db = openConsoleDb(opts.dbPath);
    this.settings = new Settings(this.db);
    this.server = new ServerClient(opts.serverUrl);
    let clientId = this.settings.get<string>('clientId');
    if (!clientId) {
      clientId = uuidv7();
      this.settings.set('clientId', clientId);
    }
    this.sync = new OutboxSync(
      this.db,
      this.server,
      clientId,
      () => {
        const s = this.session();
        return s ? { token: s.token, userId: s.user.id } : null;
      },
      () => {
        this.emit('sync.status', this.syncStatus());
        this.pull?.kick(); // what was just pushed comes back as the server's truth
      },
      (message) => {
        // The server no longer accepts this operator's token (expired, revoked, forged):
        // forget it, keep the outbox (it is pushed after the next login) and say why.
        this.settings.delete('session');
        this.emit('session.expired', { message });
      },
    );
    this.pull = new PullSync(
      this.db,
      this.server,
      () => {
        const s = this.session();
        return s ? { token: s.token, user: s.user } : null;
      },
      () => this.emit('sync.status', this.syncStatus()),
    );
    // A ticket change the server refused is undone on screen: the ticket shows the server's state again.
    this.sync.onSettled((m, result) => {
      if (result.status !== 'rejected' || (m.name !== 'changeTicket' && m.name !== 'addTicketNote' && m.name !== 'mergeRepeatCall')) return;
      const ticketId = (m.args as { ticketId?: unknown }).ticketId;
      if (typeof ticketId === 'string') this.pull.settled(ticketId);
    });
    // What area handlers (tickets, knowledge base) may use of the host.
    const context: HostContext = {
      db: this.db,
      server: this.server,
      sync: this.sync,
      session: () => this.session(),
      requireUser: () => this.requireUser(),
      emit: (event, payload) => this.emit(event, payload),
    };
    this.handlers = { ...this.coreHandlers, ...ticketHandlers(context), ...kbHandlers(context) } as Handlers;
    this.sync.start();
    this.pull.start();
  }

  /** Push and pull together, as the operator sees them. */
  syncStatus(): SyncStatus {
    const push = this.sync.status();
    const pull = this.pull.status();
    const latest = [push.lastSyncAt, pull.lastPullAt].filter((v): v is string => !!v).sort().at(-1) ?? null;
    return {
      ...push,
      // The outbox checks the link at least every 15 s, so its word on online/offline is the fresher one.
      online: push.online,
      lastSyncAt: latest,
      lastError: push.lastError ?? pull.pullError,
      live: pull.live,
      lastPullAt: pull.lastPullAt,
      rejectedItems: rejectedItems(this.db, this.session()?.user.id ?? null),
    };
  }

  on(listener: HostEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: HostEvent, payload: unknown) {
    for (const l of this.listeners) l(event, payload);
  }

  private session(): StoredSession | null {
    const s = this.settings.get<StoredSession>('session');
    if (!s) return null;
    if (Date.parse(s.expiresAt) <= Date.now()) return null;
    return s;
  }

  private requireUser(): UserInfo {
    const s = this.session();
    if (!s) throw new HostFailure('unauthenticated', '请先登录');
    return s.user;
  }

  private readonly handlers: Handlers;

  private readonly coreHandlers: AreaHandlers<typeof coreApi> = {
    'app.info': () => ({ version: this.opts.version ?? '0.1.0', transport: this.opts.transport, serverUrl: this.opts.serverUrl }),
    'session.login': async ({ username, password }) => {
      const res = await this.server.login(username, password);
      this.settings.set('session', { token: res.token, expiresAt: res.expiresAt, user: res.user } satisfies StoredSession);
      this.sync.markOnline(true);
      this.sync.kick();
      this.pull.kick();
      return res.user;
    },
    'session.logout': () => {
      this.settings.delete('session');
      return { ok: true as const };
    },
    'session.current': () => this.session()?.user ?? null,
    'calls.record': (input) => {
      const user = this.requireUser();
      const record = recordCall(this.db, user.id, input);
      this.sync.kick();
      return { id: record.id };
    },
    'calls.recent': ({ limit }) => recentCalls(this.db, this.requireUser().id, limit),
    'agent.recordState': (input) => {
      const change = recordAgentState(this.db, this.requireUser().id, input);
      this.sync.kick();
      return { id: change.id };
    },
    'sync.status': (): SyncStatus => this.syncStatus(),
    'sync.now': async () => {
      this.requireUser();
      await this.sync.syncNow();
      await this.pull.pullNow();
      return this.syncStatus();
    },
  };

  /**
   * Run one API call from a transport. Never throws: any failure becomes a
   * HostError whose message the operator can read.
   */
  async dispatch(method: unknown, params: unknown): Promise<{ ok: true; result: unknown } | { ok: false; error: HostError }> {
    if (this.closed) return { ok: false, error: { code: 'internal', message: '控制台正在关闭' } };
    if (typeof method !== 'string' || !Object.hasOwn(hostApi, method)) {
      return { ok: false, error: { code: 'unknown_method', message: `未知的操作：${String(method).slice(0, 64)}` } };
    }
    const m = method as HostMethod;
    const parsed = hostApi[m].params.safeParse(params ?? {});
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      return { ok: false, error: { code: 'bad_request', message: `请求参数不正确：${first ? `${first.path.join('.') || '参数'} ${first.message}` : ''}` } };
    }
    try {
      const handler = this.handlers[m] as (p: unknown) => unknown;
      const result = await handler(parsed.data);
      return { ok: true, result: hostApi[m].result.parse(result) };
    } catch (e) {
      if (e instanceof HostFailure) return { ok: false, error: { code: e.code, message: e.message, ...(e.fields ? { fields: e.fields } : {}) } };
      console.error(`[host] ${m} failed`, e);
      return { ok: false, error: { code: 'internal', message: '控制台内部错误，请重试或联系技术支持' } };
    }
  }

  /** Typed in-process call, for tests and the Electron main process. */
  async call<M extends HostMethod>(method: M, params: HostParams<M>): Promise<HostResult<M>> {
    const r = await this.dispatch(method, params);
    if (!r.ok) throw new HostFailure(r.error.code, r.error.message);
    return r.result as HostResult<M>;
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    await this.sync.stop();
    await this.pull.stop();
    this.db.close();
  }
}

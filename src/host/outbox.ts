import type Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import type { SyncStatus } from '../shared/host-api';
import { MAX_PUSH_BATCH, type Mutation, type MutationName, type MutationResult } from '../shared/sync';
import { HostFailure } from './errors';
import { ServerBusy, type ServerClient } from './server-client';

/**
 * Record an intent mutation in the outbox. Call it inside the same
 * transaction as the local write it describes, so both commit or neither.
 */
export function enqueueMutation(db: Database.Database, userId: string, name: MutationName, args: unknown, id: string = uuidv7()): string {
  db.prepare('INSERT INTO outbox (id, name, args, created_at, user_id) VALUES (?, ?, ?, ?, ?)').run(id, name, JSON.stringify(args), new Date().toISOString(), userId);
  return id;
}

interface OutboxRow {
  id: string;
  name: string;
  args: string;
  created_at: string;
}

export interface SyncSession {
  token: string;
  userId: string;
}

/** Runs for every mutation the server answered (applied, duplicate or rejected), inside the transaction that records the answer. */
export type SettledHook = (mutation: { id: string; name: string; args: unknown }, result: MutationResult) => void;

/** Runs when the server applied a mutation, inside the transaction that marks it sent (e.g. to store a ticket's number). */
export type AppliedHook = (id: string, args: unknown, result: unknown) => void;

const MIN_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 60_000;
const IDLE_CHECK_MS = 15_000;

/**
 * Pushes the outbox to the server: one push in flight at a time, retried with
 * exponential backoff and jitter while the server is unreachable. Mutations
 * stay in the outbox until the server answers for each one, so a crash or a
 * dropped link at any moment loses nothing and the server's id check keeps a
 * repeat from having a second effect.
 */
export class OutboxSync {
  private online = false;
  private lastSyncAt: string | null = null;
  private lastError: string | null = null;
  private inFlight: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private retryAfterMs = 0;
  private readonly settledHooks: SettledHook[] = [];
  private stopped = true;
  private readonly appliedHooks = new Map<string, AppliedHook>();

  constructor(
    private readonly db: Database.Database,
    private readonly client: ServerClient,
    private readonly clientId: string,
    private readonly session: () => SyncSession | null,
    private readonly onStatus: (s: SyncStatus) => void = () => {},
    private readonly onUnauthenticated: (message: string) => void = () => {},
  ) {}

  /** Call `hook` for every `name` mutation the server answers `applied` (one hook per name). */
  onApplied(name: MutationName, hook: AppliedHook) {
    this.appliedHooks.set(name, hook);
  }

  /** Call `hook` for every answered mutation (the sync client rebuilds a ticket whose change was refused). */
  onSettled(hook: SettledHook) {
    this.settledHooks.push(hook);
  }

  start() {
    this.stopped = false;
    this.schedule(0);
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  /** Something was enqueued: push soon. */
  kick() {
    if (!this.stopped) this.schedule(0);
  }

  status(): SyncStatus {
    const counts = this.db
      .prepare(`SELECT SUM(status = 'pending') AS pending, SUM(status = 'rejected') AS rejected FROM outbox`)
      .get() as { pending: number | null; rejected: number | null };
    return { online: this.online, pending: counts.pending ?? 0, rejected: counts.rejected ?? 0, lastSyncAt: this.lastSyncAt, lastError: this.lastError };
  }

  markOnline(online: boolean, error: string | null = null) {
    this.online = online;
    this.lastError = error;
    this.onStatus(this.status());
  }

  /** Push everything pending now; resolves when this round is over. */
  syncNow(): Promise<void> {
    if (!this.inFlight) {
      this.inFlight = this.pushAll().finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  private schedule(ms: number) {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.syncNow().then(() => {
        if (this.stopped) return;
        const pending = this.status().pending;
        if (this.failures > 0) {
          const base = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** (this.failures - 1));
          this.schedule(Math.max(this.retryAfterMs, base / 2 + Math.random() * (base / 2)));
        } else if (pending > 0) this.schedule(0);
        else this.schedule(IDLE_CHECK_MS);
      });
    }, ms);
    this.timer.unref?.();
  }

  private async pushAll(): Promise<void> {
    const session = this.session();
    if (!session) return;
    const rows = this.db
      .prepare(`SELECT id, name, args, created_at FROM outbox WHERE status = 'pending' AND user_id = ? ORDER BY id LIMIT ?`)
      .all(session.userId, MAX_PUSH_BATCH) as OutboxRow[];
    try {
      if (rows.length === 0) {
        await this.client.me(session.token); // keeps the online indicator true to the link
      } else {
        const mutations: Mutation[] = rows.map((r) => ({ id: r.id, name: r.name, args: JSON.parse(r.args), createdAt: r.created_at }));
        this.db.prepare(`UPDATE outbox SET attempts = attempts + 1 WHERE id IN (SELECT value FROM json_each(?))`).run(JSON.stringify(rows.map((r) => r.id)));
        const { results } = await this.client.push(session.token, this.clientId, mutations);
        const now = new Date().toISOString();
        const sent = this.db.prepare(`UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL WHERE id = ?`);
        const rejected = this.db.prepare(`UPDATE outbox SET status = 'rejected', last_error = ? WHERE id = ?`);
        const byId = new Map(rows.map((r) => [r.id, r]));
        this.db.transaction(() => {
          for (const r of results) {
            if (r.status === 'rejected') rejected.run(r.message, r.id);
            else sent.run(now, r.id);
            const row = byId.get(r.id);
            if (row) {
              for (const settled of this.settledHooks) settled({ id: row.id, name: row.name, args: JSON.parse(row.args) }, r);
            }
            const hook = r.status === 'applied' && row ? this.appliedHooks.get(row.name) : undefined;
            if (hook && r.status === 'applied') {
              try {
                hook(r.id, JSON.parse(row!.args), r.result);
              } catch (e) {
                console.error(`[outbox] ${row!.name} applied hook failed`, e);
              }
            }
          }
        })();
      }
      this.failures = 0;
      this.retryAfterMs = 0;
      this.online = true;
      this.lastError = null;
      this.lastSyncAt = new Date().toISOString();
    } catch (e) {
      this.failures++;
      this.retryAfterMs = e instanceof ServerBusy ? e.retryAfterMs : 0;
      const failure = e instanceof HostFailure ? e : new HostFailure('internal', String(e));
      this.online = failure.code !== 'server_unreachable';
      this.lastError = failure.message;
      if (failure.code === 'unauthenticated') this.onUnauthenticated(failure.message);
    }
    this.onStatus(this.status());
  }
}

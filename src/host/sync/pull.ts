import { rmSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { UserInfo } from '../../shared/auth';
import { ReferenceBundle } from '../../shared/ticket-wire';
import type { ActorRole } from '../../shared/ticket/workflow';
import { HostFailure } from '../errors';
import { KnowledgeBase } from '../kb/index';
import { adoptKbSnapshot, kbSnapshotVersion } from '../kb/snapshot';
import { ServerBusy, type ServerClient } from '../server-client';
import { actorFor, applyPage, cursorOf, rebuildTicket } from './apply';
import { PokeClient } from './poke-client';

export interface PullSession {
  token: string;
  user: Pick<UserInfo, 'id' | 'role'>;
}

export interface PullStatus {
  /** The poke socket is up: changes arrive within a second, without polling. */
  live: boolean;
  lastPullAt: string | null;
  pulledVersion: number;
  pullError: string | null;
  pullOnline: boolean;
}

/** Polling while the poke socket is down, and a slow safety net while it is up. */
const POLL_MS = 5_000;
const LIVE_POLL_MS = 60_000;
const MAX_BACKOFF_MS = 60_000;

/**
 * Pulls the server's change log into the console: page after page, each
 * page applied in one transaction with its cursor (apply.ts). Pulls on a
 * poke, after a push, and by polling when the poke socket is down; one pull
 * in flight at a time; backoff with jitter on failure, honouring the
 * server's Retry-After.
 */
export class PullSync {
  private readonly kb: KnowledgeBase;
  private readonly poke: PokeClient;
  private inFlight: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private failures = 0;
  private retryAfterMs = 0;
  private state: PullStatus = { live: false, lastPullAt: null, pulledVersion: 0, pullError: null, pullOnline: false };

  constructor(
    private readonly db: Database.Database,
    private readonly client: ServerClient,
    private readonly session: () => PullSession | null,
    private readonly onStatus: () => void = () => {},
    private readonly onReference: (bundle: ReferenceBundle) => void = () => {},
    private readonly pageSize?: number,
    /** Start an empty console from the server's knowledge-base snapshot (tests and benchmarks turn it off). */
    private readonly kbSnapshots = true,
  ) {
    this.kb = new KnowledgeBase(db);
    this.poke = new PokeClient(
      () => this.client.baseUrl,
      () => this.kick(),
      (live) => {
        this.state.live = live;
        this.onStatus();
        if (live) this.kick(); // whatever happened while the socket was down
      },
    );
  }

  status(): PullStatus {
    const s = this.session();
    return { ...this.state, live: this.poke.live, pulledVersion: s ? cursorOf(this.db, s.user.id) : 0 };
  }

  start() {
    this.stopped = false;
    this.poke.use(this.session()?.token ?? null);
    this.schedule(0);
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.poke.stop();
    await this.inFlight;
  }

  /** Pull soon (a poke, a push that applied something, a login). */
  kick() {
    if (this.stopped) return;
    this.poke.use(this.session()?.token ?? null);
    this.schedule(0);
  }

  /** The server answered a ticket's pending change: show the ticket as the server has it plus what is still pending. */
  settled(ticketId: string) {
    const s = this.session();
    if (s) rebuildTicket(this.db, ticketId, this.roleOf(s));
  }

  /** Pull everything there is now; resolves when the log is drained or the pull failed. */
  pullNow(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = (async () => {
      do {
        this.again = false;
        await this.drain();
      } while (this.again && this.failures === 0);
    })().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private roleOf(s: PullSession): (userId: string) => ActorRole {
    const mine = actorFor(s.user).role;
    return (id) => (id === s.user.id ? mine : 'operator');
  }

  private schedule(ms: number) {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.pullNow().then(() => {
        if (this.stopped) return;
        if (this.failures > 0) {
          const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (this.failures - 1));
          this.schedule(Math.max(this.retryAfterMs, base / 2 + Math.random() * (base / 2)));
        } else this.schedule(this.poke.live ? LIVE_POLL_MS : POLL_MS);
      });
    }, ms);
    this.timer.unref?.();
  }

  private async drain(): Promise<void> {
    const s = this.session();
    if (!s) return;
    try {
      let more = true;
      let reference: number | null = null;
      let prefetched: ReturnType<ServerClient['pull']> | null = null;
      if (this.kbSnapshots && cursorOf(this.db, s.user.id) === 0) await this.adoptSnapshot(s);
      const kbAfter = kbSnapshotVersion(this.db);
      while (more) {
        const page = await (prefetched ?? this.client.pull(s.token, cursorOf(this.db, s.user.id), this.pageSize, kbAfter));
        prefetched = null;
        // The operator may have logged out or changed while the page was on its way.
        if (this.session()?.user.id !== s.user.id) return;
        // A bootstrap is many pages: the server reads the next one while this one is applied.
        if (page.more) {
          prefetched = this.client.pull(s.token, page.nextVersion, this.pageSize, kbAfter);
          prefetched.catch(() => {}); // awaited at the next turn, or dropped with this drain
        }
        const outcome = applyPage(this.db, this.kb, s.user.id, page, this.roleOf(s));
        if (outcome.referenceVersion !== null) reference = Math.max(reference ?? 0, outcome.referenceVersion);
        more = page.more;
      }
      if (reference !== null) await this.refreshReference(s, reference);
      this.failures = 0;
      this.retryAfterMs = 0;
      this.state = { ...this.state, lastPullAt: new Date().toISOString(), pullError: null, pullOnline: true };
    } catch (e) {
      this.failures++;
      this.retryAfterMs = e instanceof ServerBusy ? e.retryAfterMs : 0;
      const failure = e instanceof HostFailure ? e : new HostFailure('internal', String(e));
      if (!(e instanceof HostFailure)) console.error('[pull] failed', e);
      this.state = { ...this.state, pullError: failure.message, pullOnline: failure.code !== 'server_unreachable' };
    }
    this.onStatus();
  }

  /**
   * An empty console's first pull: take the server's ready-made knowledge
   * base (seconds) instead of indexing every article (over a minute for
   * 100,000). Anything wrong with it leaves the knowledge base untouched and
   * the articles come by the pull instead.
   */
  private async adoptSnapshot(s: PullSession): Promise<void> {
    if (kbSnapshotVersion(this.db) > 0 || this.db.memory) return;
    if (this.db.prepare('SELECT EXISTS (SELECT 1 FROM kb_articles)').pluck().get()) return;
    const file = `${this.db.name}.kb-snapshot`;
    try {
      const got = await this.client.kbSnapshot(s.token, file);
      if (!got) return;
      if (this.session()?.user.id !== s.user.id) return;
      const { articles } = adoptKbSnapshot(this.db, file, got.version);
      console.info(`[pull] knowledge base from the server's snapshot: ${articles} articles at version ${got.version} (${Math.round(got.bytes / 1e6)} MB)`);
    } catch (e) {
      console.warn('[pull] knowledge-base snapshot not used, pulling article by article:', e instanceof Error ? e.message : e);
    } finally {
      rmSync(file, { force: true });
    }
  }

  private async refreshReference(s: PullSession, version: number) {
    const row = this.db.prepare('SELECT version FROM reference_cache WHERE id = 1').get() as { version: number } | undefined;
    if (row && row.version >= version) return;
    const bundle = await this.client.reference(s.token, row?.version ?? null);
    if (!bundle) return;
    this.db
      .prepare(
        `INSERT INTO reference_cache (id, version, bundle, synced_at) VALUES (1, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET version = excluded.version, bundle = excluded.bundle, synced_at = excluded.synced_at`,
      )
      .run(bundle.version, JSON.stringify(bundle), new Date().toISOString());
    this.onReference(bundle);
  }
}

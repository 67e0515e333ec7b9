import type Database from 'better-sqlite3';
import path from 'node:path';
import type { LoginResponse } from '../../src/shared/auth';
import { openConsoleDb } from '../../src/host/db/open';
import { enqueueMutation, OutboxSync } from '../../src/host/outbox';
import { ServerClient } from '../../src/host/server-client';
import { PullSync } from '../../src/host/sync/pull';
import { addTicketNoteLocally, changeTicketLocally } from '../../src/host/sync/ticket-changes';
import { insertEvent, insertLocalTicket } from '../../src/host/tickets/store';
import { filedTicket } from './sync-fixtures';

/**
 * One console's sync machinery on its own SQLite file, driven step by step
 * (no timers): the same OutboxSync and PullSync the console host runs.
 * Small pull pages by default, so paging is exercised on every pull.
 */
export class TestConsole {
  readonly db: Database.Database;
  readonly client: ServerClient;
  readonly outbox: OutboxSync;
  readonly pull: PullSync;
  session: LoginResponse | null = null;

  constructor(
    dir: string,
    readonly name: string,
    serverUrl: string,
    pageSize = 2,
    kbSnapshots = true,
  ) {
    this.db = openConsoleDb(path.join(dir, `${name}.db`));
    this.client = new ServerClient(serverUrl);
    const session = () => (this.session ? { token: this.session.token, userId: this.session.user.id } : null);
    this.outbox = new OutboxSync(this.db, this.client, name, session);
    this.pull = new PullSync(this.db, this.client, () => (this.session ? { token: this.session.token, user: this.session.user } : null), undefined, undefined, pageSize, kbSnapshots);
    this.outbox.onSettled((m, r) => {
      const id = (m.args as { ticketId?: string }).ticketId;
      if (r.status === 'rejected' && id) this.pull.settled(id);
    });
  }

  async login(username: string, password: string) {
    this.session = await this.client.login(username, password);
  }

  get user() {
    return this.session!.user;
  }

  /** File a ticket offline, as the ticket form does: the ticket, its events and its outbox entry in one transaction. */
  createTicket(kind: 'closed' | 'dispatched'): string {
    const t = filedTicket(this.user.id, kind);
    this.db.transaction(() => {
      insertLocalTicket(this.db, { ticket: t, callerNumber: '13800138000', status: kind === 'closed' ? 'closed' : 'dispatched', assignedUnitId: kind === 'closed' ? null : 'unit-zjj', dueAt: null, dueProvisional: false });
      insertEvent(this.db, { ticketId: t.id, at: t.acceptedAt, actorId: this.user.id, type: 'accept', from: null, to: 'accepted', detail: {} });
      enqueueMutation(this.db, this.user.id, 'createTicket', { ticket: t, callerNumber: '13800138000' }, t.id);
    })();
    return t.id;
  }

  change(ticketId: string, event: Record<string, unknown>) {
    return changeTicketLocally(this.db, this.user, { ticketId, event: { at: new Date().toISOString(), ...event } });
  }

  note(ticketId: string, text: string) {
    return addTicketNoteLocally(this.db, this.user, { ticketId, at: new Date().toISOString(), text });
  }

  tickets(): { id: string; status: string }[] {
    return this.db.prepare('SELECT id, status FROM tickets ORDER BY id').all() as { id: string; status: string }[];
  }

  pending(): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM outbox WHERE status = 'pending'`).get() as { n: number }).n;
  }

  async close() {
    await this.outbox.stop();
    await this.pull.stop();
    this.db.close();
  }
}

import type Database from 'better-sqlite3';
import type { z } from 'zod';
import type { UserInfo } from '../shared/auth';
import type { HostEvent } from '../shared/host-api';
import type { ApiArea } from '../shared/host-api-method';
import type { OutboxSync } from './outbox';
import type { ServerClient } from './server-client';

export interface StoredSession {
  token: string;
  expiresAt: string;
  user: UserInfo;
}

/** What an area of the host API (tickets, knowledge base) may use of the console host. */
export interface HostContext {
  db: Database.Database;
  server: ServerClient;
  sync: OutboxSync;
  /** The logged-in operator's session, or null. */
  session(): StoredSession | null;
  /** The logged-in operator, or a HostFailure('unauthenticated'). */
  requireUser(): UserInfo;
  emit(event: HostEvent, payload: unknown): void;
}

/** Handlers for every method of an API area, typed by its schemas. */
export type AreaHandlers<A extends ApiArea> = {
  [M in keyof A]: (params: z.infer<A[M]['params']>) => Promise<z.infer<A[M]['result']>> | z.infer<A[M]['result']>;
};

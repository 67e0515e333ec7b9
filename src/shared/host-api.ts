import { z } from 'zod';
import { AgentStateChange, CallQuality, CallRecord } from './call-record';
import { LoginRequest, UserInfo } from './auth';
import { kbApi } from './host-api-kb';
import { Empty, method } from './host-api-method';
import { ticketsApi } from './host-api-tickets';

/**
 * The one contract between the renderer and the console host. Electron IPC
 * and the browser-mode WebSocket both carry exactly these methods; each
 * message is validated against its schema on arrival, on both sides.
 */

export const SyncStatus = z.object({
  online: z.boolean(),
  pending: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  lastSyncAt: z.iso.datetime({ offset: true }).nullable(),
  lastError: z.string().nullable(),
  /** The server's poke socket is up: changes from other consoles arrive within a second. */
  live: z.boolean().optional(),
  /** Last successful pull of the server's changes. */
  lastPullAt: z.iso.datetime({ offset: true }).nullable().optional(),
  /** What the server refused, newest first, with what the operator can do about it. */
  rejectedItems: z
    .array(z.object({ id: z.string(), name: z.string(), message: z.string(), advice: z.string(), createdAt: z.string() }))
    .optional(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;


export const NewCallRecord = z.object({
  direction: z.enum(['inbound', 'outbound']),
  callerNumber: z.string().min(1).max(64),
  calleeNumber: z.string().max(64).default(''),
  startedAt: z.iso.datetime({ offset: true }),
  answeredAt: z.iso.datetime({ offset: true }).nullable(),
  endedAt: z.iso.datetime({ offset: true }),
  outcome: z.enum(['answered', 'missed', 'rejected', 'failed']),
  sipCallId: z.string().max(256).nullable().default(null),
  quality: CallQuality.nullable().optional(),
});
export type NewCallRecord = z.infer<typeof NewCallRecord>;

export const StoredCallRecord = z.object({
  record: CallRecord,
  synced: z.boolean(),
});
export type StoredCallRecord = z.infer<typeof StoredCallRecord>;

/** An agent state change as the renderer reports it; the host adds the id and the operator. */
export const NewAgentStateChange = AgentStateChange.omit({ id: true, operatorId: true });
export type NewAgentStateChange = z.input<typeof NewAgentStateChange>;

export const AppInfo = z.object({
  version: z.string(),
  transport: z.enum(['electron', 'browser']),
  serverUrl: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const coreApi = {
  'app.info': method(Empty, AppInfo),
  'session.login': method(LoginRequest, UserInfo),
  'session.logout': method(Empty, z.object({ ok: z.literal(true) })),
  'session.current': method(Empty, UserInfo.nullable()),
  'calls.record': method(NewCallRecord, z.object({ id: z.string() })),
  'calls.recent': method(z.object({ limit: z.number().int().min(1).max(500).default(50) }).strict(), z.array(StoredCallRecord)),
  'agent.recordState': method(NewAgentStateChange, z.object({ id: z.string() })),
  'sync.status': method(Empty, SyncStatus),
  'sync.now': method(Empty, SyncStatus),
} as const;

export const hostApi = { ...coreApi, ...ticketsApi, ...kbApi } as const;

export type HostApi = typeof hostApi;
export type HostMethod = keyof HostApi;
export type HostParams<M extends HostMethod> = z.input<HostApi[M]['params']>;
export type HostResult<M extends HostMethod> = z.infer<HostApi[M]['result']>;
export const hostMethods = Object.keys(hostApi) as HostMethod[];

/** Events the host sends to the renderer without being asked. */
export const hostEvents = {
  'sync.status': SyncStatus,
  'session.expired': z.object({ message: z.string() }),
} as const;
export type HostEvent = keyof typeof hostEvents;

/** Error codes a host call can fail with; `message` is always for the operator (zh-CN). */
export const HostErrorCode = z.enum([
  'bad_request', // the message or its params failed validation
  'invalid_input', // a form the operator filled failed validation; see `fields`
  'not_found',
  'unknown_method',
  'unauthenticated', // no operator logged in, or the server refused the token
  'invalid_credentials',
  'server_unreachable',
  'server_error',
  'internal',
]);
export type HostErrorCode = z.infer<typeof HostErrorCode>;

/** `fields`: messages by form field path (e.g. 'outcome.unitId'), for errors the UI shows at the field. */
export const HostError = z.object({ code: HostErrorCode, message: z.string(), fields: z.record(z.string(), z.string()).optional() });
export type HostError = z.infer<typeof HostError>;

/** Wire envelope used by the WebSocket transport (IPC carries the same request/response objects). */
export const HostRequest = z
  .object({
    id: z.number().int().nonnegative(),
    method: z.string().max(64),
    params: z.unknown(),
  })
  .strict();
export type HostRequest = z.infer<typeof HostRequest>;

export const HostResponse = z.union([
  z.object({ id: z.number(), ok: z.literal(true), result: z.unknown() }),
  z.object({ id: z.number().nullable(), ok: z.literal(false), error: HostError }),
  z.object({ event: z.string(), payload: z.unknown() }),
]);
export type HostResponse = z.infer<typeof HostResponse>;

import { z } from 'zod';
import { AgentStateChange, CallRecord } from './call-record';
import { AddTicketNoteArgs, ChangeTicketArgs } from './sync-changes';
import { MergeRepeatCallArgs } from './ticket-merge';
import { CreateTicketArgs } from './ticket-wire';

/**
 * Sync protocol: intents up. Every change a console makes is a named mutation
 * with a client-generated UUIDv7 id; the server applies each one in its own
 * transaction and remembers the id, so a repeated push has no second effect.
 */
export const MutationArgs = {
  recordCall: CallRecord,
  recordAgentState: AgentStateChange,
  createTicket: CreateTicketArgs,
  changeTicket: ChangeTicketArgs,
  addTicketNote: AddTicketNoteArgs,
  mergeRepeatCall: MergeRepeatCallArgs,
} as const;
export type MutationName = keyof typeof MutationArgs;
export const MutationName = z.enum(Object.keys(MutationArgs) as [MutationName, ...MutationName[]]);

export const Mutation = z.object({
  id: z.uuid(),
  name: z.string().min(1).max(64),
  args: z.unknown(),
  createdAt: z.iso.datetime({ offset: true }),
});
export type Mutation = z.infer<typeof Mutation>;

export const MAX_PUSH_BATCH = 500;

export const PushRequest = z.object({
  clientId: z.string().min(1).max(64),
  mutations: z.array(Mutation).min(1).max(MAX_PUSH_BATCH),
});
export type PushRequest = z.infer<typeof PushRequest>;

export const MutationResult = z.discriminatedUnion('status', [
  /** `result`: what the server decided that the console should know (e.g. a ticket's number). */
  z.object({ id: z.string(), status: z.literal('applied'), result: z.unknown().optional() }),
  z.object({ id: z.string(), status: z.literal('duplicate') }),
  z.object({ id: z.string(), status: z.literal('rejected'), reason: z.string(), message: z.string() }),
]);
export type MutationResult = z.infer<typeof MutationResult>;

export const PushResponse = z.object({ results: z.array(MutationResult) });
export type PushResponse = z.infer<typeof PushResponse>;

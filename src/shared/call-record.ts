import { z } from 'zod';

/** How a call ended, from the operator's side. */
export const CallOutcome = z.enum([
  'answered', // talked to the caller, then someone hung up
  'missed', // rang at the console, caller gave up before the operator answered
  'rejected', // the operator declined it
  'failed', // never connected (network, PBX, media)
]);
export type CallOutcome = z.infer<typeof CallOutcome>;

export const CallDirection = z.enum(['inbound', 'outbound']);
export type CallDirection = z.infer<typeof CallDirection>;

const isoTime = z.iso.datetime({ offset: true });

/**
 * Call quality as the console measured it (RTCPeerConnection.getStats, worst
 * sample of the call): jitter, packet loss, round-trip time and the E-model
 * (ITU-T G.107) estimate computed from them. See src/phone/quality.ts.
 */
export const CallQuality = z.object({
  mos: z.number().min(1).max(5),
  rFactor: z.number().min(0).max(100),
  jitterMs: z.number().nonnegative(),
  lossPct: z.number().min(0).max(100),
  rttMs: z.number().nonnegative(),
});
export type CallQuality = z.infer<typeof CallQuality>;

/** One call as the console saw it. `id` is a client-generated UUIDv7. */
export const CallRecord = z
  .object({
    id: z.uuid(),
    direction: CallDirection,
    callerNumber: z.string().min(1).max(64),
    calleeNumber: z.string().max(64).default(''),
    operatorId: z.string().min(1).max(64),
    startedAt: isoTime,
    answeredAt: isoTime.nullable(),
    endedAt: isoTime,
    outcome: CallOutcome,
    sipCallId: z.string().max(256).nullable().default(null),
    /** Quality figures of an answered call; null when there was no media. */
    quality: CallQuality.nullable().optional(),
  })
  .refine((r) => Date.parse(r.endedAt) >= Date.parse(r.startedAt), {
    message: 'endedAt must not precede startedAt',
    path: ['endedAt'],
  })
  .refine((r) => r.answeredAt === null || Date.parse(r.answeredAt) >= Date.parse(r.startedAt), {
    message: 'answeredAt must not precede startedAt',
    path: ['answeredAt'],
  });
export type CallRecord = z.infer<typeof CallRecord>;

/** The operator's (agent's) states, as the softphone's agent machine has them (src/phone/agent.ts). */
export const AgentStateName = z.enum(['offline', 'ready', 'not_ready', 'ringing', 'in_call', 'wrap_up']);
export type AgentStateName = z.infer<typeof AgentStateName>;

/** One change of the operator's state. `id` is a client-generated UUIDv7. */
export const AgentStateChange = z.object({
  id: z.uuid(),
  operatorId: z.string().min(1).max(64),
  state: AgentStateName,
  /** Not-ready reason (小休, 用餐, …); null otherwise. */
  reason: z.string().max(32).nullable().default(null),
  at: isoTime,
  previousState: AgentStateName.nullable().default(null),
  /** How long the operator was in the previous state, ms. */
  previousMs: z.number().int().nonnegative().nullable().default(null),
});
export type AgentStateChange = z.infer<typeof AgentStateChange>;

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

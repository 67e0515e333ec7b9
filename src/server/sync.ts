import type { z } from 'zod';
import { MutationArgs, type Mutation, type MutationName, type MutationResult } from '../shared/sync';
import type { Db, Queryable } from './db';
import { describeIssues, safeParseZh } from './errors';
import { applyAddTicketNote, applyChangeTicket } from './ticket-changes';
import { applyMergeRepeatCall } from './ticket-merge';
import { applyCreateTicket, createTicketAlone } from './tickets';
import type { UserRow } from './users';

type Rejection = { reason: string; message: string };

export interface MutationContext {
  user: Pick<UserRow, 'id' | 'role'>;
  clientId: string;
}

/**
 * How the server applies one named intent. `authorize` runs before any
 * write; `apply` runs inside the mutation's transaction and may still
 * reject (a rule that needs the database), which rolls the transaction back.
 */
interface MutationHandler<N extends MutationName> {
  authorize(args: z.output<(typeof MutationArgs)[N]>, ctx: MutationContext): Rejection | null;
  /** null or `{ result }` when applied (the result goes back to the console), a Rejection otherwise. */
  apply(tx: Queryable, args: z.output<(typeof MutationArgs)[N]>, ctx: MutationContext): Promise<Rejection | { result: unknown } | null>;
  /**
   * Optional fast path: apply the mutation in statements of its own, the
   * write claiming the mutation id in the same statement (so it is still one
   * transaction), without BEGIN, claim and COMMIT round trips. Answers
   * 'claimed' when the id is taken, 'general' to leave the case to `apply`.
   */
  applyAlone?(db: Queryable, args: z.output<(typeof MutationArgs)[N]>, ctx: MutationContext, mutationId: string): Promise<Rejection | { result: unknown } | 'claimed' | 'general'>;
}

/** One handler per mutation in the shared protocol: a new mutation without a handler does not compile. */
const handlers: { [N in MutationName]: MutationHandler<N> } = {
  recordCall: {
    authorize(call, { user }) {
      if (call.operatorId !== user.id) return { reason: 'forbidden', message: '只能提交本人的通话记录' };
      return null;
    },
    async apply(tx, call, { user }) {
      const inserted = await tx.query(
        `INSERT INTO call_records (id, direction, caller_number, callee_number, operator_id, started_at, answered_at, ended_at, outcome, sip_call_id, quality)
         VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7::timestamptz, $8::timestamptz, $9, $10, $11::jsonb)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [call.id, call.direction, call.callerNumber, call.calleeNumber, user.id, call.startedAt, call.answeredAt, call.endedAt, call.outcome, call.sipCallId, call.quality ? JSON.stringify(call.quality) : null],
      );
      if (inserted.rows.length) return null;
      // The call is already stored (sent again under a new mutation id): the
      // effect is there once, which is what the console wants, if it is ours.
      const { rows } = await tx.query<{ operator_id: string }>('SELECT operator_id FROM call_records WHERE id = $1', [call.id]);
      if (rows[0]?.operator_id !== user.id) return { reason: 'conflict', message: '该通话记录编号已被其他话务员使用' };
      return null;
    },
  },
  createTicket: {
    authorize({ ticket }, { user }) {
      if (ticket.acceptedBy !== user.id) return { reason: 'forbidden', message: '只能提交本人受理的工单' };
      if (ticket.status !== 'accepted') return { reason: 'invalid_status', message: '新工单的状态应为“已受理”' };
      return null;
    },
    apply: (tx, args, { user }) => applyCreateTicket(tx, args, user),
    applyAlone: (db, args, { user, clientId }, mutationId) => createTicketAlone(db, args, user, { mutationId, clientId }),
  },
  changeTicket: {
    authorize: () => null, // who may do what to which ticket needs the ticket: decided in apply
    apply: (tx, args, { user }) => applyChangeTicket(tx, args, user),
  },
  addTicketNote: {
    authorize: () => null,
    apply: (tx, args, { user }) => applyAddTicketNote(tx, args, user),
  },
  mergeRepeatCall: {
    authorize: () => null, // scope and status need the ticket: decided in apply
    apply: (tx, args, { user }) => applyMergeRepeatCall(tx, args, user),
  },
  recordAgentState: {
    authorize(change, { user }) {
      if (change.operatorId !== user.id) return { reason: 'forbidden', message: '只能提交本人的坐席状态' };
      return null;
    },
    async apply(tx, change, { user }) {
      await tx.query(
        `INSERT INTO agent_state_events (id, operator_id, state, reason, at, previous_state, previous_ms)
         VALUES ($1, $2, $3, $4, $5::timestamptz, $6, $7) ON CONFLICT (id) DO NOTHING`,
        [change.id, user.id, change.state, change.reason, change.at, change.previousState, change.previousMs],
      );
      return null;
    },
  },
};

function isMutationName(name: string): name is MutationName {
  return Object.hasOwn(MutationArgs, name);
}

/** Thrown inside a mutation's transaction to roll it back and answer with `result`. */
class Outcome extends Error {
  constructor(readonly result: MutationResult) {
    super(result.status);
  }
}

async function seenBefore(db: Queryable, m: Mutation, ctx: MutationContext): Promise<MutationResult | null> {
  const { rows } = await db.query<{ user_id: string }>('SELECT user_id FROM applied_mutations WHERE id = $1', [m.id]);
  const owner = rows[0]?.user_id;
  if (owner === undefined) return null;
  if (owner === ctx.user.id) return { id: m.id, status: 'duplicate' };
  return { id: m.id, status: 'rejected', reason: 'foreign_id', message: '该操作编号已被其他账号使用' };
}

/**
 * Apply one mutation exactly once. The mutation's row in applied_mutations
 * is inserted first, in the same transaction as its effect, with ON CONFLICT
 * DO NOTHING: of two pushes racing with the same id, the second waits on the
 * first's row and then finds it, so the effect happens once. A mutation that
 * is refused before any write is checked against applied_mutations then, so
 * a repeat still answers `duplicate`.
 *
 * Unexpected errors (database down) propagate: the push fails as a whole,
 * the console keeps the mutation and retries; what was applied before the
 * failure comes back as `duplicate` next time.
 */
export async function applyMutation(db: Db, m: Mutation, ctx: MutationContext): Promise<MutationResult> {
  const refuse = async (rejection: Rejection): Promise<MutationResult> => (await seenBefore(db, m, ctx)) ?? { id: m.id, status: 'rejected', ...rejection };
  if (!isMutationName(m.name)) return refuse({ reason: 'unknown_mutation', message: `服务器不认识此操作：${m.name}` });
  return applyKnown(db, m.name, m, ctx, refuse);
}

async function applyKnown<N extends MutationName>(db: Db, name: N, m: Mutation, ctx: MutationContext, refuse: (r: Rejection) => Promise<MutationResult>): Promise<MutationResult> {
  const parsed = safeParseZh(MutationArgs[name], m.args);
  if (!parsed.success) return refuse({ reason: 'invalid_args', message: `数据不正确：${describeIssues(parsed.error.issues)}` });
  const handler = handlers[name];
  const args = parsed.data as z.output<(typeof MutationArgs)[N]>;
  const refused = handler.authorize(args, ctx);
  if (refused) return refuse(refused);

  if (handler.applyAlone) {
    const outcome = await handler.applyAlone(db, args, ctx, m.id);
    if (outcome === 'claimed') {
      const seen = await seenBefore(db, m, ctx);
      if (!seen) throw new Error(`mutation ${m.id} was claimed but is not in applied_mutations`);
      return seen;
    }
    if (outcome !== 'general') return 'reason' in outcome ? refuse(outcome) : { id: m.id, status: 'applied', result: outcome.result };
  }

  try {
    return await db.transaction(async (tx) => {
      const claimed = await tx.query(
        `INSERT INTO applied_mutations (id, user_id, client_id, name) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [m.id, ctx.user.id, ctx.clientId, name],
      );
      if (!claimed.rows.length) {
        // Pushed before, or by another push meanwhile.
        const raced = await seenBefore(tx, m, ctx);
        if (!raced) throw new Error(`mutation ${m.id} conflicted but is not in applied_mutations`);
        throw new Outcome(raced);
      }
      const outcome = await handler.apply(tx, args, ctx);
      if (outcome && 'reason' in outcome) throw new Outcome({ id: m.id, status: 'rejected', ...outcome });
      return outcome ? ({ id: m.id, status: 'applied', result: outcome.result } as const) : ({ id: m.id, status: 'applied' } as const);
    });
  } catch (err) {
    if (err instanceof Outcome) return err.result;
    throw err;
  }
}

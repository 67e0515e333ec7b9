import type { ticketsApi } from '../../shared/host-api-tickets';
import type { AreaHandlers, HostContext } from '../context';

/** The ticket area of the host API (see src/shared/host-api-tickets.ts). */
export function ticketHandlers(_ctx: HostContext): AreaHandlers<typeof ticketsApi> {
  return {};
}

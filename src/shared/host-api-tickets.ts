/**
 * Host API methods for tickets (工单): reference data, screen pop, drafts,
 * filing, search. Spread into `hostApi` in host-api.ts.
 */
export const ticketsApi = {} as const;

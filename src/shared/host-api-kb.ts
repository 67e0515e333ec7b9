/**
 * Host API methods for the knowledge base (search, articles, usage).
 * Spread into `hostApi` in host-api.ts.
 */
export const kbApi = {} as const;

/**
 * Tickets (工单): the pure domain logic both the console and the server use.
 * Import from here; each module's header says why it exists.
 */
export * from './time';
export * from './vocabulary';
export * from './calendar';
export * from './deadline';
export * from './phone';
export * from './workflow';
export * from './schema';
export * from './repeat';
export * from './reference';
export * from './plan';

import { z } from 'zod';

/** One host API method: the schema of its params and of its result. */
export function method<P extends z.ZodType, R extends z.ZodType>(params: P, result: R) {
  return { params, result };
}

export const Empty = z.object({}).strict();

export type ApiArea = Record<string, { params: z.ZodType; result: z.ZodType }>;

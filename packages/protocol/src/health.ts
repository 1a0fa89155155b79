import { z } from 'zod';

export const HealthResponse = z.object({ status: z.literal('ok') });
export const ReadinessResponse = z.object({
  status: z.enum(['ready', 'not_ready']),
  database: z.enum(['up', 'down']),
  migrations: z.object({ applied: z.number().int(), pending: z.number().int() }),
});
export type ReadinessResponse = z.infer<typeof ReadinessResponse>;

import middy from '@middy/core';
import { z } from 'zod';
import { lambdaLogger, withLambdaContext } from './logger.ts';

/**
 * A scheduled or event-driven entry whose job a later issue implements. It
 * exists so the CDK stack (schedule, role, alarms) can be deployed and checked
 * now; it validates the event shape, logs that it ran, and changes nothing.
 */
export function placeholderHandler(service: string, event: z.ZodType) {
  const log = lambdaLogger(service);
  const main = async (input: unknown): Promise<{ done: false; reason: 'not-implemented' }> => {
    const parsed = event.safeParse(input);
    log.port.warn('not implemented yet: nothing done', { valid: parsed.success });
    return { done: false, reason: 'not-implemented' };
  };
  return { main, handler: middy(main).use(withLambdaContext(log.powertools)) };
}

export const scheduledJob = (job: string) => z.object({ job: z.literal(job) });

import { z } from 'zod';
import { placeholderHandler } from './shared/placeholder.ts';

/**
 * PLACEHOLDER, not implemented: records SES bounces and complaints on the
 * handover or signal whose mail they concern (found by the `mail` tag the
 * SesMailer sets). Started by an EventBridge rule on our configuration set.
 */
const SesEvent = z.object({ source: z.literal('aws.ses'), 'detail-type': z.string() });

export const { main, handler } = placeholderHandler('meldroute-ses-events', SesEvent);

import { placeholderHandler, scheduledJob } from './shared/placeholder.ts';

/** PLACEHOLDER, not implemented: The officers' daily digest on working days (issue 5). Started by EventBridge Scheduler with {"job":"digest"}. */
export const { main, handler } = placeholderHandler('meldroute-digest', scheduledJob('digest'));

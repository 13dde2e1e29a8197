import { placeholderHandler, scheduledJob } from './shared/placeholder.ts';

/** PLACEHOLDER, not implemented: Erases closed signals after the retention period, keeping an anonymised tombstone. Started by EventBridge Scheduler with {"job":"retention"}. */
export const { main, handler } = placeholderHandler(
  'meldroute-retention',
  scheduledJob('retention'),
);

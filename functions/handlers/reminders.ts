import { placeholderHandler, scheduledJob } from './shared/placeholder.ts';

/** PLACEHOLDER, not implemented: Reminders for missing partner feedback and escalation to the officer (issue 5). Started by EventBridge Scheduler with {"job":"reminders"}. */
export const { main, handler } = placeholderHandler(
  'meldroute-reminders',
  scheduledJob('reminders'),
);

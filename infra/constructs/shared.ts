import type { Settings } from '../settings.ts';
import type { Data } from './data.ts';
import type { MeldrouteFunctionProps } from './function.ts';

/** What every construct of the app stack gets from it. */
export type Shared = {
  settings: Settings;
  data: Data;
  /** Environment every function gets: names and ARNs, never secret values. */
  environment: Record<string, string>;
  functionDefaults: Pick<MeldrouteFunctionProps, 'configJson' | 'key' | 'logRetentionDays'>;
  /** Reserved concurrency, or undefined where the account cannot reserve any (context reservedConcurrency=false). */
  reserve(n: number): number | undefined;
};

import type { App } from 'aws-cdk-lib';
import { Tags } from 'aws-cdk-lib';
import { MeldrouteStack } from './meldroute-stack.ts';
import { loadSettings, readContext, type Settings } from './settings.ts';

export type Meldroute = { settings: Settings; stack: MeldrouteStack };

/**
 * The deployment for one municipality. Environment-agnostic: synth needs no
 * account or credentials; the account and region come from the CLI profile at
 * deploy time.
 */
export function defineMeldroute(app: App): Meldroute {
  const settings = loadSettings(readContext(app.node));
  const stack = new MeldrouteStack(app, settings.prefix, settings, {
    description: `Meldroute for ${settings.config.municipality.name}: reporting route for signals of human trafficking`,
    terminationProtection: true,
  });
  Tags.of(app).add('application', 'meldroute');
  Tags.of(app).add('municipality', settings.config.municipality.code);
  return { settings, stack };
}

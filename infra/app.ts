import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { defineMeldroute } from './meldroute.ts';

// The CDK app (cdk.json: `npx tsx infra/app.ts`). cdk-nag runs on every synth:
// an unacknowledged AwsSolutions finding fails it.
const app = new App();
defineMeldroute(app);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();

import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { defineMeldroute } from '../../infra/meldroute.ts';

/** The feature flags and defaults from cdk.json, so tests synthesize what `cdk synth` does. */
export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context;
}

export const TEST_CONTEXT = {
  configFile: 'config/montfoort.example.json',
  alarmEmail: 'beheer@montfoort.example',
};

export type SynthOptions = {
  /** esbuild every function (a few seconds); off where only the template matters. */
  bundle?: boolean;
  /** CDK's built-in CloudFormation schema validation (about ten seconds). */
  validate?: boolean;
};

/**
 * One app, as `cdk synth` builds it, without AWS credentials or account.
 * Slow enough to call once per test file, in beforeAll.
 */
export function synthMeldroute(context: Record<string, unknown> = {}, options: SynthOptions = {}) {
  delete process.env.CDK_DEFAULT_ACCOUNT;
  delete process.env.CDK_DEFAULT_REGION;
  if (options.validate === false) process.env.CDK_VALIDATION = 'false';
  else delete process.env.CDK_VALIDATION;
  const app = new App({
    context: {
      ...cdkJsonContext(),
      ...TEST_CONTEXT,
      ...context,
      ...(options.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {}),
    },
  });
  const meldroute = defineMeldroute(app);
  const template = Template.fromStack(meldroute.stack);
  return { app, ...meldroute, template };
}

type Statement = {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Sid?: string;
};

/** Every statement of every identity policy in the template, with the role it belongs to. */
export function policyStatements(template: Template): { role: string; statement: Statement }[] {
  const out: { role: string; statement: Statement }[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const roles = (policy.Properties.Roles ?? []) as { Ref: string }[];
    for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) {
      for (const r of roles) out.push({ role: r.Ref, statement });
    }
  }
  return out;
}

export const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** The logical id of the role of the function whose logical id starts with `prefix`. */
export function roleOfFunction(template: Template, prefix: string): string {
  const fns = template.findResources('AWS::Lambda::Function');
  const id = Object.keys(fns).find((k) => k.startsWith(prefix));
  if (!id) throw new Error(`no function ${prefix}*`);
  const role = fns[id]?.Properties.Role as { 'Fn::GetAtt': [string, string] } | undefined;
  if (!role) throw new Error(`function ${id} has no role`);
  return role['Fn::GetAtt'][0];
}

/** Every statement in the policies of the role of the function whose logical id starts with `prefix`. */
export function statementsOfFunction(template: Template, prefix: string): Statement[] {
  const role = roleOfFunction(template, prefix);
  return policyStatements(template)
    .filter((s) => s.role === role)
    .map((s) => s.statement);
}

import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthMeldroute } from './support.ts';

let app: App;

beforeAll(() => {
  // As `cdk synth` does it, CDK's CloudFormation schema validation included.
  ({ app } = synthMeldroute({}, { bundle: false }));
}, 120_000);

type Ack = { path: string; id: string; reason: string };

function acknowledgements(root: IConstruct): Ack[] {
  const out: Ack[] = [];
  for (const c of root.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [id, value] of Object.entries(entry.data as Record<string, unknown>)) {
        const reason =
          typeof value === 'string' ? value : ((value as { reason?: string }).reason ?? '');
        out.push({ path: c.node.path, id, reason });
      }
    }
  }
  return out;
}

describe('cdk-nag AwsSolutions', () => {
  it('reports nothing that is not acknowledged', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`),
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('has a written reason on every acknowledgement', () => {
    const acks = acknowledgements(app).filter((a) => a.id.includes('AwsSolutions-'));
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) {
      expect(a.reason.length, `${a.id} at ${a.path}`).toBeGreaterThanOrEqual(40);
    }
  });

  it('acknowledges only the rules we decided on, never a whole category', () => {
    const ids = new Set(acknowledgements(app).map((a) => a.id.replace(/^Annotation::/i, '')));
    const rules = new Set([...ids].map((id) => id.replace(/\[.*$/, '')));
    expect([...rules].sort()).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-IAM5',
      'AwsSolutions-L1',
      'AwsSolutions-S1',
      'AwsSolutions-SQS3',
    ]);
    // Wildcards only as findings we named: object keys under a prefix, function versions, KMS grant variants.
    for (const id of ids) {
      if (!id.startsWith('AwsSolutions-IAM5')) continue;
      expect(id).toMatch(
        /^AwsSolutions-IAM5\[(Resource::<\w+\.Arn>(\/[\w-]*\/?\*|:\*)|Resource::\*|Action::kms:(GenerateDataKey|ReEncrypt)\*)\]$/,
      );
    }
  });
});

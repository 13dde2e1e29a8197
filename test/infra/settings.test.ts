import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { loadSettings, SettingsError } from '../../infra/settings.ts';
import { synthMeldroute } from './support.ts';

/** Context values as `-c key=value` gives them: strings. Synths here skip bundling and validation. */
const quick = { bundle: false, validate: false } as const;

function configWith(change: (c: Record<string, unknown>) => void): string {
  const c = JSON.parse(readFileSync('config/montfoort.example.json', 'utf8'));
  change(c);
  const file = join(mkdtempSync(join(tmpdir(), 'meldroute-config-')), 'config.json');
  writeFileSync(file, JSON.stringify(c));
  return file;
}

describe('deployment settings', () => {
  it('stop synth with the name of a wrong context value', () => {
    expect(() => loadSettings({ webDomain: 'meldroute.montfoort.nl' })).toThrow(
      /webDomain needs certificateArn/,
    );
    expect(() => loadSettings({ logRetentionDays: '100' })).toThrow(/logRetentionDays/);
    expect(() => loadSettings({ configFile: 'config/missing.json' })).toThrow(SettingsError);
    expect(() => loadSettings({ mailboxDomain: 'other.example' })).toThrow(/not at mailboxDomain/);
  });

  it('stop synth on a config the runtime would refuse, naming the field', () => {
    const file = configWith((c) => {
      c.officers = ['not-an-address'];
    });
    expect(() => loadSettings({ configFile: file })).toThrow(/officers\.0/);
  });

  it('refuse single sign-on until its client secret can come from Secrets Manager', () => {
    const file = configWith((c) => {
      c.sso = {
        issuer: 'https://login.example',
        clientId: 'meldroute',
        clientSecret: { env: 'SSO_SECRET' },
      };
    });
    expect(() => loadSettings({ configFile: file })).toThrow(/sso/);
  });

  it('replace the officers from the context', () => {
    const s = loadSettings({ officers: 'af1@montfoort.example, af2@montfoort.example' });
    expect(s.config.officers).toEqual(['af1@montfoort.example', 'af2@montfoort.example']);
  });

  it('leave concurrency unreserved for a new account that cannot reserve any', () => {
    const { template } = synthMeldroute({ reservedConcurrency: 'false' }, quick);
    for (const f of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(f.Properties.ReservedConcurrentExecutions).toBeUndefined();
    }
  });

  it('with a hosted zone and a custom domain: DNS records, the domain as base URL, no execute-api', () => {
    const { template } = synthMeldroute(
      {
        hostedZoneId: 'Z0123456789ABC',
        hostedZoneName: 'montfoort.example',
        webDomain: 'meldroute.montfoort.example',
        certificateArn: 'arn:aws:acm:eu-central-1:111122223333:certificate/abc',
      },
      quick,
    );
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Type: 'MX',
      Name: 'montfoort.example.',
      ResourceRecords: [
        { 'Fn::Join': ['', ['10 inbound-smtp.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
      ],
    });
    expect(
      template.findResources('AWS::Route53::RecordSet', { Properties: { Type: 'CNAME' } }),
    ).toSatisfy((r: object) => Object.keys(r).length === 3);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Type: 'A',
      AliasTarget: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: true });
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'meldroute.montfoort.example',
      DomainNameConfigurations: [Match.objectLike({ SecurityPolicy: 'TLS_1_2' })],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ BASE_URL: 'https://meldroute.montfoort.example' }),
      },
    });
  });
});

import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '#config/env.ts';
import {
  asArray,
  policyStatements,
  roleOfFunction,
  statementsOfFunction,
  synthMeldroute,
} from './support.ts';

/** Issue 7: mail, functions and IAM, the web API, outbox, schedules and alarms. */

let template: Template;

beforeAll(() => {
  // Template assertions only: no bundling, no schema validation (nag.test.ts does that).
  ({ template } = synthMeldroute({}, { bundle: false, validate: false }));
}, 120_000);

describe('mail', () => {
  it('scans incoming mail for spam and viruses and requires TLS, for the mailbox only', () => {
    template.hasResourceProperties('AWS::SES::ReceiptRule', {
      Rule: {
        Enabled: true,
        ScanEnabled: true,
        TlsPolicy: 'Require',
        Recipients: ['meldpunt-mensenhandel@montfoort.example'],
        Actions: [
          { S3Action: Match.objectLike({ ObjectKeyPrefix: 'raw/', IamRoleArn: Match.anyValue() }) },
          { LambdaAction: Match.objectLike({ InvocationType: 'Event' }) },
        ],
      },
    });
  });

  it('signs outbound mail with DKIM and requires TLS to the receiving server', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'montfoort.example',
      DkimAttributes: { SigningEnabled: true },
      DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
    });
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      ReputationOptions: { ReputationMetricsEnabled: true },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
  });

  it('sends bounce and complaint events to a handler with a dead-letter queue', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: Match.arrayWith(['bounce', 'complaint']),
        EventBridgeDestination: Match.anyValue(),
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        source: ['aws.ses'],
        'detail-type': Match.arrayWith(['Email Bounced', 'Email Complaint Received']),
      }),
      Targets: [
        Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.anyValue() }),
      ],
    });
  });
});

describe('functions', () => {
  it('run Node.js 22 on arm64 with JSON logs to their own encrypted log group', () => {
    const fns = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(fns)).toHaveLength(8);
    for (const f of Object.values(fns)) {
      expect(f.Properties.Runtime).toBe('nodejs22.x');
      expect(f.Properties.Architectures).toEqual(['arm64']);
      expect(f.Properties.LoggingConfig).toMatchObject({
        LogFormat: 'JSON',
        LogGroup: expect.anything(),
      });
      expect(f.Properties.ReservedConcurrentExecutions).toBeGreaterThan(0);
    }
  });

  it('carry only names and ARNs in their environment, never a secret value', () => {
    const allowed = new Set<string>([
      ...Object.values(ENV),
      'NODE_OPTIONS',
      'POWERTOOLS_SERVICE_NAME',
    ]);
    for (const f of Object.values(template.findResources('AWS::Lambda::Function'))) {
      const vars = f.Properties.Environment.Variables as Record<string, unknown>;
      for (const [name, value] of Object.entries(vars)) {
        expect(allowed, name).toContain(name);
        if (name === ENV.secretsKeyArn)
          expect(value).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
      }
      expect(vars[ENV.configFile]).toBe('config.json');
    }
  });

  it('never allow a data action on every resource', () => {
    const data = /^(dynamodb|s3|kms|sqs|sns|ses|lambda|logs):/;
    for (const { role, statement } of policyStatements(template)) {
      if (statement.Effect !== 'Allow' || !asArray(statement.Resource).includes('*')) continue;
      // ListStreams has no resource-level permissions and reads no data.
      expect(
        asArray(statement.Action).filter((a) => data.test(a) && a !== 'dynamodb:ListStreams'),
        role,
      ).toEqual([]);
    }
  });

  it('let the outbox open sealed mails only, never a reporter or a signal', () => {
    const mine = statementsOfFunction(template, 'OutboxSender');
    expect(mine).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Sid: 'DecryptOnlyOwnParts',
        Condition: {
          Null: { 'kms:EncryptionContext:part': 'false' },
          StringNotEquals: { 'kms:EncryptionContext:part': ['mail'] },
        },
      }),
    );
    expect(mine).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['ses:SendEmail', 'ses:SendRawEmail'],
        Condition: { StringEquals: { 'ses:FromAddress': 'meldroute@montfoort.example' } },
      }),
    );
  });

  it('let the mail intake make a new signal its key but never unwrap one (docs/adr/0016)', () => {
    const mine = statementsOfFunction(template, 'MailIntake');
    // GenerateDataKey for any part of its municipality, `signal-key` included...
    expect(mine).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'kms:GenerateDataKey',
        Condition: { StringEquals: { 'kms:EncryptionContext:municipality': 'montfoort' } },
      }),
    );
    // ...but Decrypt of the reporter only: a signal key never opens here.
    expect(mine).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Sid: 'DecryptOnlyOwnParts',
        Condition: {
          Null: { 'kms:EncryptionContext:part': 'false' },
          StringNotEquals: { 'kms:EncryptionContext:part': ['reporter'] },
        },
      }),
    );
  });

  it('give retention exactly what runRetention uses: its table actions, the attachments bucket, raw-mail outcomes', () => {
    const mine = statementsOfFunction(template, 'SchedulesRetention');
    const allowed = mine
      .filter((s) => s.Effect === 'Allow')
      .flatMap((s) => asArray(s.Action))
      .sort();
    expect(allowed.filter((a) => a.startsWith('dynamodb:') || a.startsWith('s3:'))).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:Query',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
      's3:DeleteObject',
      's3:GetObject',
      's3:ListBucket',
    ]);
    expect(mine).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Condition: {
          StringLike: { 's3:prefix': ['additions/*', 'attachments/*', 'processed/*'] },
        },
      }),
    );
    expect(mine).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Sid: 'DecryptOnlyOwnParts',
        Condition: {
          Null: { 'kms:EncryptionContext:part': 'false' },
          StringNotEquals: { 'kms:EncryptionContext:part': ['raw-mail-outcome'] },
        },
      }),
    );
    // It seals nothing: no envelope encryption at all.
    expect(mine).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Sid: 'EncryptOnlyOwnParts',
        Condition: { Null: { 'kms:EncryptionContext:part': 'false' } },
      }),
    );
  });

  it('let the SES events function read and update signals, and nothing else', () => {
    const role = roleOfFunction(template, 'MailSesEvents');
    const allowed = policyStatements(template)
      .filter((s) => s.role === role && s.statement.Effect === 'Allow')
      .flatMap((s) => asArray(s.statement.Action))
      .filter((a) => !a.startsWith('logs:') && !a.startsWith('sqs:'));
    expect(allowed.filter((a) => !a.startsWith('kms:')).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
    ]);
    // KMS only through DynamoDB (the table's SSE); no envelope grant.
    for (const s of policyStatements(template).filter(
      (x) => x.role === role && x.statement.Effect === 'Allow',
    )) {
      if (asArray(s.statement.Action).some((a) => a.startsWith('kms:')))
        expect(s.statement.Condition?.StringEquals?.['kms:ViaService']).toBeDefined();
    }
  });

  it('let the partner pages unwrap signal keys and seal mail, and never decrypt the reporter (docs/adr/0018)', () => {
    const mine = statementsOfFunction(template, 'WebPartner');
    const onlyParts = (sid: string) =>
      mine.find((s) => s.Effect === 'Deny' && s.Sid === sid)?.Condition?.StringNotEquals?.[
        'kms:EncryptionContext:part'
      ];
    // Whatever else the role is ever given, KMS refuses every other part.
    expect(onlyParts('DecryptOnlyOwnParts')).toEqual(['signal-key']);
    expect(onlyParts('EncryptOnlyOwnParts')).toEqual(['mail', 'signal-key']);
    expect(onlyParts('DecryptOnlyOwnParts')).not.toContain('reporter');
    // No Allow opens an envelope without naming its parts (SSE through DynamoDB only).
    const decrypts = mine.filter(
      (s) => s.Effect === 'Allow' && asArray(s.Action).includes('kms:Decrypt'),
    );
    expect(decrypts.length).toBeGreaterThan(0);
    for (const s of decrypts) {
      const parts = s.Condition?.StringEquals?.['kms:EncryptionContext:part'];
      if (parts === undefined) {
        expect(s.Condition?.StringEquals?.['kms:ViaService']).toBeDefined();
      } else {
        expect(asArray(parts)).not.toContain('reporter');
        expect(parts).toEqual(['signal-key']);
      }
    }
    // openPartnerLink and recordPartnerFeedback: get, put, update; no query, no scan, no index.
    const allowed = mine
      .filter((s) => s.Effect === 'Allow')
      .flatMap((s) => asArray(s.Action))
      .filter((a) => !a.startsWith('logs:') && !a.startsWith('kms:'))
      .sort();
    expect(allowed).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
  });

  it('still let the web function decrypt every part, the reporter included', () => {
    const mine = statementsOfFunction(template, 'WebFunction');
    expect(mine).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Condition: { StringEquals: { 'kms:EncryptionContext:municipality': 'montfoort' } },
      }),
    );
    expect(mine.find((s) => s.Sid === 'DecryptOnlyOwnParts')).toBeUndefined();
  });

  it('give the web app no way to send mail itself', () => {
    const role = roleOfFunction(template, 'WebFunction');
    const actions = policyStatements(template)
      .filter((s) => s.role === role && s.statement.Effect === 'Allow')
      .flatMap((s) => asArray(s.statement.Action));
    expect(actions.filter((a) => a.startsWith('ses:'))).toEqual([]);
    expect(actions).toContain('kms:GenerateMac');
  });
});

describe('web', () => {
  it('is an HTTP API with throttling and access logs that hold no path, address or agent', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0]?.Properties;
    expect(stage.DefaultRouteSettings).toEqual({
      ThrottlingBurstLimit: 40,
      ThrottlingRateLimit: 20,
    });
    expect(stage.AccessLogSettings.DestinationArn).toBeDefined();
    const format = stage.AccessLogSettings.Format as string;
    expect(format).toContain('$context.requestId');
    for (const leak of ['$context.path', 'sourceIp', 'userAgent', '$context.identity']) {
      expect(format).not.toContain(leak);
    }
  });
  it('routes a partner link to the partner function, and everything else to the web function', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => r.Properties,
    );
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
    const functionOf = (routeKey: string) => {
      const target = routes.find((r) => r.RouteKey === routeKey)?.Target;
      const integration = target?.['Fn::Join']?.[1]?.[1]?.Ref as string | undefined;
      return integrations[integration ?? '']?.Properties.IntegrationUri['Fn::GetAtt'][0];
    };
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(['$default', 'ANY /partner/{token}']);
    expect(functionOf('ANY /partner/{token}')).toMatch(/^WebPartnerFunction/);
    expect(functionOf('$default')).toMatch(/^WebFunction/);
  });
});

describe('outbox and schedules', () => {
  it('starts the outbox from the table stream only for items with mail pending, with a DLQ', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.anyValue(), 'StreamArn'] },
      FilterCriteria: {
        Filters: [{ Pattern: Match.stringLikeRegexp('"outboxPk":\\{"S":\\["PENDING"\\]') }],
      },
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      MaximumRetryAttempts: 3,
    });
  });

  it('runs reminders, digest and retention in Amsterdam time, and sweeps the outbox every 5 minutes', () => {
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')).map(
      (s) => s.Properties,
    );
    expect(schedules.map((s) => JSON.parse(s.Target.Input).job).sort()).toEqual([
      'digest',
      'outbox-sweep',
      'reminders',
      'retention',
    ]);
    for (const s of schedules) {
      expect(s.Target.RetryPolicy.MaximumRetryAttempts).toBe(3);
      expect(s.Target.DeadLetterConfig.Arn).toBeDefined();
      if (s.ScheduleExpression.startsWith('cron'))
        expect(s.ScheduleExpressionTimezone).toBe('Europe/Amsterdam');
    }
    expect(schedules.find((s) => s.ScheduleExpression === 'rate(5 minutes)')).toBeDefined();
  });
});

describe('alarms', () => {
  const alarms = () =>
    Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);

  it('watch every dead-letter queue, every function and SES reputation, and notify the topic', () => {
    const all = alarms();
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    const functions = Object.keys(template.findResources('AWS::Lambda::Function'));
    const on = (metric: string) => all.filter((a) => a.MetricName === metric);
    expect(
      on('ApproximateNumberOfMessagesVisible')
        .map((a) => a.Dimensions[0].Value['Fn::GetAtt'][0])
        .sort(),
    ).toEqual(queues.sort());
    expect(
      on('Errors')
        .map((a) => a.Dimensions[0].Value.Ref)
        .sort(),
    ).toEqual(functions.sort());
    expect(on('Reputation.BounceRate')[0]).toMatchObject({ Namespace: 'AWS/SES', Threshold: 0.05 });
    expect(on('Reputation.ComplaintRate')).toHaveLength(1);
    expect(on('OutboxFailedSends')).toHaveLength(1);
    const topic = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
    for (const a of all) expect(a.AlarmActions).toEqual([{ Ref: topic }]);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'beheer@montfoort.example',
    });
  });
});

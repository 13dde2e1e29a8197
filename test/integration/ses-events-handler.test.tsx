import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIL_PROBLEMS } from '#core/signal.ts';
import { ownerOfMail } from '#core/use-cases/mail-events.ts';
import { loadOfficerWorkflow } from '#core/use-cases/workflow/officer-view.ts';
import { HandoverList } from '#forms/pages/handover-panels.tsx';
import { renderPage } from '#forms/pages/layout.tsx';
import { testTable } from '../support/dynamo.ts';
import { memoryLogger } from '../support/fakes.ts';
import { exampleConfig, reminderWorld } from '../support/reminders.ts';

/**
 * The SES events Lambda as AWS runs it: the real composition root, fed the
 * events EventBridge delivers from our configuration set (the shape AWS
 * documents for SES event publishing to EventBridge: `detail` is the SES
 * event record), against dynalite. No AWS call is made: the function neither
 * sends mail nor decrypts anything.
 */

const PARTNER = 'zorgcoordinatie@moviera.example';
const REPORTER = 'melder@voorbeeld.example';
const saved = { ...process.env };
const context = {
  functionName: 'meldroute-ses-events',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 30_000,
};

let table: Awaited<ReturnType<typeof testTable>>;
let world: ReturnType<typeof reminderWorld>;
let signalId = '';

/** One SES event as EventBridge delivers it. */
function sesEvent(
  detailType: string,
  eventType: string,
  mailId: string | undefined,
  extra: Record<string, unknown>,
  to = PARTNER,
) {
  return {
    version: '0',
    id: '6bd6c8a4-1e2b-7e4d-0a2f-5c5e1e1a1b9f',
    'detail-type': detailType,
    source: 'aws.ses',
    account: '111122223333',
    time: '2026-03-02T09:05:00Z',
    region: 'eu-central-1',
    resources: ['arn:aws:ses:eu-central-1:111122223333:configuration-set/meldroute-montfoort'],
    detail: {
      eventType,
      mail: {
        timestamp: '2026-03-02T09:04:58.123Z',
        source: 'Meldroute Montfoort <meldroute@montfoort.example>',
        sourceArn: 'arn:aws:ses:eu-central-1:111122223333:identity/montfoort.example',
        sendingAccountId: '111122223333',
        messageId: '0107018e0a1b2c3d-4e5f6a7b-8c9d-0e1f-2a3b-4c5d6e7f8a9b-000000',
        destination: [to],
        headersTruncated: false,
        headers: [
          { name: 'From', value: 'Meldroute Montfoort <meldroute@montfoort.example>' },
          { name: 'To', value: to },
          { name: 'Subject', value: 'Nieuw signaal MH-2026-0001' },
        ],
        commonHeaders: {
          from: ['Meldroute Montfoort <meldroute@montfoort.example>'],
          to: [to],
          subject: 'Nieuw signaal MH-2026-0001',
        },
        tags: {
          'ses:configuration-set': ['meldroute-montfoort'],
          'ses:source-ip': ['192.0.2.10'],
          'ses:from-domain': ['montfoort.example'],
          'ses:caller-identity': ['meldroute-outbox'],
          'ses:outgoing-ip': ['198.51.100.7'],
          ...(mailId ? { mail: [mailId] } : {}),
        },
      },
      ...extra,
    },
  };
}

const bounce = (bounceType: 'Permanent' | 'Transient', to = PARTNER) => ({
  bounce: {
    feedbackId: '0107018e0a1b2c3d-aaaa-bbbb-cccc-000000',
    bounceType,
    bounceSubType: bounceType === 'Permanent' ? 'General' : 'MailboxFull',
    bouncedRecipients: [
      {
        emailAddress: to,
        action: 'failed',
        status: '5.1.1',
        diagnosticCode: 'smtp; 550 5.1.1 <zorgcoordinatie@moviera.example>: user unknown',
      },
    ],
    timestamp: '2026-03-02T09:05:00.000Z',
    remoteMtaIp: '203.0.113.5',
    reportingMTA: 'dns; a1-2.smtp-out.eu-central-1.amazonses.com',
  },
});
const complaint = (to: string) => ({
  complaint: {
    feedbackId: '0107018e0a1b2c3d-dddd-eeee-ffff-000000',
    complaintSubType: null,
    complainedRecipients: [{ emailAddress: to }],
    timestamp: '2026-03-02T10:00:00.000Z',
    userAgent: 'Mozilla/5.0',
    complaintFeedbackType: 'abuse',
    arrivalDate: '2026-03-02T09:59:00.000Z',
  },
});

beforeAll(async () => {
  table = await testTable('meldroute-ses-events-handler');
  world = reminderWorld(table, exampleConfig());
  signalId = (await world.handedOver()).signalId;
  Object.assign(process.env, {
    MELDROUTE_CONFIG: fileURLToPath(
      new URL('../../config/montfoort.example.json', import.meta.url),
    ),
    TABLE_NAME: table.table,
    DYNAMODB_ENDPOINT: table.endpoint,
    KMS_KEY_ARN: 'arn:aws:kms:eu-central-1:111122223333:key/11111111-2222-3333-4444-555555555555',
    BASE_URL: 'https://abc123.execute-api.eu-central-1.amazonaws.com',
    AWS_REGION: 'eu-central-1',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
}, 60_000);

afterAll(async () => {
  process.env = saved;
  await table.close();
});

describe('mail ids', () => {
  it('name the handover for partner mails, the signal for others, nothing for the rest', () => {
    expect(ownerOfMail('abc123def456-h2-v1')).toEqual({
      kind: 'handover',
      signalId: 'abc123def456',
      handoverId: 'h2',
    });
    expect(ownerOfMail('abc123def456-h1-c0-r2')).toMatchObject({ kind: 'handover' });
    expect(ownerOfMail('abc123def456-h1-c0-esc-0')).toMatchObject({ kind: 'signal' });
    expect(ownerOfMail('abc123def456-h1-fb1-0')).toMatchObject({ kind: 'signal' });
    expect(ownerOfMail('abc123def456-receipt')).toMatchObject({ kind: 'signal' });
    for (const id of [
      'digest-2026-03-02-0',
      'login-0123456789abcdef',
      'quarantine-ses-x-0',
      'h0a1b',
    ])
      expect(ownerOfMail(id), id).toEqual({ kind: 'none' });
  });
});

describe('SES events Lambda', () => {
  it('refuses an event that is not an SES event', async () => {
    const { handler } = await import('#handlers/ses-events.ts');
    await expect(handler({ job: 'retention' }, context as never)).rejects.toThrow(
      expect.objectContaining({ name: 'UnrecognisedEventError' }),
    );
  });

  it('marks the handover when the partner notification bounces for good, once', async () => {
    const { handler } = await import('#handlers/ses-events.ts');
    const before = await world.deps.store.get(signalId);
    const event = sesEvent('Email Bounced', 'Bounce', `${signalId}-h1-v1`, bounce('Permanent'));
    expect(await handler(event, context as never)).toEqual({
      eventType: 'Bounce',
      outcome: 'handover',
    });
    // EventBridge delivers at least once: the same event again changes nothing.
    expect(await handler(event, context as never)).toEqual({
      eventType: 'Bounce',
      outcome: 'duplicate',
    });
    const after = await world.deps.store.get(signalId);
    if (!before || !after) throw new Error('signal');
    expect(after.version).toBe(before.version + 1);
    const h = after.handovers?.[0];
    expect(h?.mailProblem).toEqual({
      at: expect.any(String),
      kind: 'bounce',
      mailId: `${signalId}-h1-v1`,
    });
    expect(h?.history.at(-1)).toMatchObject({
      actor: 'system',
      type: 'mail_bounced',
      detail: 'overdrachtsbericht',
    });
    expect(after.events.at(-1)).toMatchObject({ type: 'mail_bounced', actor: 'system' });
    // No address is stored with it.
    expect(JSON.stringify({ h: h?.mailProblem, e: after.events })).not.toContain('@moviera');

    // The officer sees it on the handover panel.
    const { reporterCipher: _r, contentCipher: _c, ...viewable } = after;
    const view = await loadOfficerWorkflow(world.deps, viewable, {
      persons: [],
      organisations: [],
      observed: '',
      attachments: [],
    } as never);
    const html = renderPage(<HandoverList signalId={signalId} view={view} csrfToken="t" />);
    expect(html).toContain(MAIL_PROBLEMS.bounce);
    expect(html).toContain('E-mail aan deze partner kwam niet aan (adres onbekend)');
  });

  it('records a complaint on another mail of the signal in its history', async () => {
    const { handler } = await import('#handlers/ses-events.ts');
    const event = sesEvent(
      'Email Complaint Received',
      'Complaint',
      `${signalId}-receipt`,
      complaint(REPORTER),
      REPORTER,
    );
    expect(await handler(event, context as never)).toEqual({
      eventType: 'Complaint',
      outcome: 'signal',
    });
    expect(await handler(event, context as never)).toMatchObject({ outcome: 'duplicate' });
    const s = await world.deps.store.get(signalId);
    expect(s?.events.filter((e) => e.type === 'mail_complaint')).toEqual([
      {
        at: expect.any(String),
        actor: 'system',
        type: 'mail_complaint',
        detail: 'ontvangstbevestiging aan de melder (receipt)',
      },
    ]);
    // The handover flag is about partner mail only.
    expect(s?.handovers?.[0]?.mailProblem?.kind).toBe('bounce');
  });

  it('ignores transient bounces, deliveries, mail of no signal and erased or unknown signals; logs no address', async () => {
    const { main, sesEventsDeps } = await import('#handlers/ses-events.ts');
    const logger = memoryLogger();
    const deps = sesEventsDeps({ logger });
    const before = await world.deps.store.get(signalId);
    const cases: [ReturnType<typeof sesEvent>, string][] = [
      [sesEvent('Email Bounced', 'Bounce', `${signalId}-h1-c0-r1`, bounce('Transient')), 'ignored'],
      [
        sesEvent('Email Delivered', 'Delivery', `${signalId}-h1-v1`, {
          delivery: {
            timestamp: '2026-03-02T09:05:01.000Z',
            processingTimeMillis: 1200,
            recipients: [PARTNER],
            smtpResponse: '250 2.0.0 OK',
            reportingMTA: 'a1-2.smtp-out.eu-central-1.amazonses.com',
          },
        }),
        'ignored',
      ],
      [
        sesEvent('Email Bounced', 'Bounce', 'digest-2026-03-02-0', bounce('Permanent')),
        'no-signal',
      ],
      [sesEvent('Email Bounced', 'Bounce', undefined, bounce('Permanent')), 'untagged'],
      [sesEvent('Email Bounced', 'Bounce', 'zzzzzzzzzzzz-h1-v1', bounce('Permanent')), 'not-found'],
      [sesEvent('Email Bounced', 'Bounce', `${signalId}-h9-v1`, bounce('Permanent')), 'not-found'],
    ];
    for (const [event, outcome] of cases)
      expect((await main(event, deps)).outcome, JSON.stringify(event.detail.mail.tags)).toBe(
        outcome,
      );
    expect((await world.deps.store.get(signalId))?.version).toBe(before?.version);
    expect(logger.lines).toHaveLength(cases.length);
    expect(logger.lines.join('\n')).not.toMatch(/@|550|Subject|MH-2026/);
  });
});

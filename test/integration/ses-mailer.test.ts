import { SESv2Client, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import PostalMime from 'postal-mime';
import { beforeEach, describe, expect, it } from 'vitest';
import { SesMailer } from '#adapters/ses-mailer.ts';
import type { OutgoingEmail } from '#core/ports.ts';
import { renderEmail } from '#templates/render.ts';

const ses = mockClient(SESv2Client);
const FROM = 'meldroute@montfoort.example';

const mail: OutgoingEmail = {
  id: '01JSIGNAL-notice-0',
  to: ['aandachtsfunctionaris@montfoort.example'],
  ...renderEmail('new-signal', {
    municipality: 'Gemeente Montfoort',
    reference: 'MH-2026-0042',
    link: 'https://meldroute.montfoort.example/inbox/01JSIGNAL',
    acute: true,
  }),
};

function sentInput(): SendEmailCommandInput {
  const calls = ses.commandCalls(SendEmailCommand);
  expect(calls).toHaveLength(1);
  const input = calls[0]?.args[0].input;
  if (!input) throw new Error('SES was not called');
  return input;
}

beforeEach(() => {
  ses.reset();
  ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
});

describe('SES mailer', () => {
  it('sends the raw MIME with recipients, subject, both parts and the configuration set', async () => {
    const mailer = new SesMailer({
      client: new SESv2Client({ region: 'eu-west-1' }),
      from: FROM,
      configurationSetName: 'meldroute',
      clock: { now: () => new Date('2026-04-01T10:00:00Z') },
    });
    await mailer.send(mail);

    const input = sentInput();
    expect(input.FromEmailAddress).toBe(FROM);
    expect(input.Destination?.ToAddresses).toEqual(['aandachtsfunctionaris@montfoort.example']);
    expect(input.ConfigurationSetName).toBe('meldroute');
    expect(input.EmailTags).toEqual([{ Name: 'mail', Value: '01JSIGNAL-notice-0' }]);
    const data = input.Content?.Raw?.Data;
    expect(data).toBeInstanceOf(Uint8Array);

    const email = await PostalMime.parse(data ?? new Uint8Array());
    expect(email.to?.map((a) => ('address' in a ? a.address : ''))).toEqual([
      'aandachtsfunctionaris@montfoort.example',
    ]);
    expect(email.subject).toBe('Nieuw signaal MH-2026-0042 (acuut)');
    expect(email.text).toContain('https://meldroute.montfoort.example/inbox/01JSIGNAL');
    expect(email.html).toContain('href="https://meldroute.montfoort.example/inbox/01JSIGNAL"');
    expect(email.messageId).toBe('<01JSIGNAL-notice-0@montfoort.example>');
    expect(new Date(email.date ?? '').toISOString()).toBe('2026-04-01T10:00:00.000Z');
  });

  it('leaves the configuration set out when none is configured', async () => {
    await new SesMailer({ client: new SESv2Client({ region: 'eu-west-1' }), from: FROM }).send(
      mail,
    );
    expect(sentInput()).not.toHaveProperty('ConfigurationSetName');
  });

  it('never lets a header value start a new header line', async () => {
    await new SesMailer({ client: new SESv2Client({ region: 'eu-west-1' }), from: FROM }).send({
      ...mail,
      subject: 'Nieuw signaal\r\nBcc: attacker@example.org',
      headers: { 'X-Meldroute-Kind': 'notice\r\nBcc: attacker@example.org' },
    });
    const raw = new TextDecoder().decode(sentInput().Content?.Raw?.Data);
    expect(raw).not.toMatch(/^Bcc:/im);
  });

  it('reports throttling as a temporary failure so the outbox retries later', async () => {
    ses.on(SendEmailCommand).rejects(
      Object.assign(new Error('Maximum sending rate exceeded.'), {
        name: 'TooManyRequestsException',
      }),
    );
    const mailer = new SesMailer({ client: new SESv2Client({ region: 'eu-west-1' }), from: FROM });
    await expect(mailer.send(mail)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('passes a rejected message on unchanged', async () => {
    ses
      .on(SendEmailCommand)
      .rejects(
        Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' }),
      );
    const mailer = new SesMailer({ client: new SESv2Client({ region: 'eu-west-1' }), from: FROM });
    await expect(mailer.send(mail)).rejects.toMatchObject({ name: 'MessageRejected' });
  });
});

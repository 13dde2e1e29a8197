import { SESv2Client, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import PostalMime from 'postal-mime';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildMime } from '#adapters/mime.ts';
import { SesMailer } from '#adapters/ses-mailer.ts';
import type { OutgoingEmail } from '#core/ports.ts';
import { renderEmail } from '#templates/render.ts';

const ses = mockClient(SESv2Client);
const FROM = 'meldroute@montfoort.example';
const LINK = 'https://meldroute.montfoort.example/inbox/01JSIGNAL';

const mail: OutgoingEmail = {
  id: '01JSIGNAL-notice-0',
  to: ['aandachtsfunctionaris@montfoort.example'],
  ...renderEmail('new-signal', {
    municipality: 'Gemeente Montfoort',
    reference: 'MH-2026-0042',
    link: LINK,
    acute: true,
  }),
};

const mailer = (configurationSetName?: string) =>
  new SesMailer({
    client: new SESv2Client({ region: 'eu-west-1' }),
    from: FROM,
    ...(configurationSetName ? { configurationSetName } : {}),
  });

function sentInput(): SendEmailCommandInput {
  const calls = ses.commandCalls(SendEmailCommand);
  expect(calls).toHaveLength(1);
  const input = calls[0]?.args[0].input;
  if (!input) throw new Error('SES was not called');
  return input;
}

const headersOf = (input: SendEmailCommandInput) =>
  Object.fromEntries((input.Content?.Simple?.Headers ?? []).map((h) => [h.Name, h.Value]));

beforeEach(() => {
  ses.reset();
  ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
});

describe('SES mailer', () => {
  it('sends simple content: subject, both bodies, recipients, the configuration set and the mail tag', async () => {
    await mailer('meldroute').send(mail);

    const input = sentInput();
    expect(input.FromEmailAddress).toBe(FROM);
    expect(input.Destination).toEqual({ ToAddresses: ['aandachtsfunctionaris@montfoort.example'] });
    expect(input.ConfigurationSetName).toBe('meldroute');
    expect(input.EmailTags).toEqual([{ Name: 'mail', Value: '01JSIGNAL-notice-0' }]);
    // No raw MIME: SES composes the message (and sets Message-ID and Date itself).
    expect(input.Content?.Raw).toBeUndefined();
    const simple = input.Content?.Simple;
    expect(simple?.Subject).toEqual({
      Data: 'Nieuw signaal MH-2026-0042 (acuut)',
      Charset: 'UTF-8',
    });
    expect(simple?.Body?.Text).toEqual({ Data: mail.text, Charset: 'UTF-8' });
    expect(simple?.Body?.Html).toEqual({ Data: mail.html, Charset: 'UTF-8' });
    expect(simple?.Body?.Text?.Data).toContain(LINK);
    expect(simple?.Body?.Html?.Data).toContain(`href="${LINK}"`);
    // No reply-to asked for, none sent.
    expect(input).not.toHaveProperty('ReplyToAddresses');
  });

  it('marks every mail as automatic (RFC 3834) so auto-responders do not answer it', async () => {
    await mailer().send(mail);
    expect(headersOf(sentInput())).toEqual({
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
    });
  });

  it('sends the reply-to and a custom header; a mail header replaces a default whatever its case', async () => {
    await mailer().send({
      ...mail,
      replyTo: 'zorgcoordinatie@moviera.example',
      headers: { 'auto-submitted': 'auto-replied', 'X-Meldroute-Kind': 'notice' },
    });
    const input = sentInput();
    expect(input.ReplyToAddresses).toEqual(['zorgcoordinatie@moviera.example']);
    expect(input.Content?.Simple?.Headers).toEqual([
      { Name: 'X-Auto-Response-Suppress', Value: 'All' },
      { Name: 'auto-submitted', Value: 'auto-replied' },
      { Name: 'X-Meldroute-Kind', Value: 'notice' },
    ]);
  });

  it('sends the same headers the file outbox writes into its MIME', async () => {
    const custom = { ...mail, headers: { 'X-Meldroute-Kind': 'notice' } };
    await mailer().send(custom);
    const eml = await PostalMime.parse(
      await buildMime(custom, { from: FROM, date: new Date('2026-04-01T10:00:00Z') }),
    );
    const inMime = (name: string) => eml.headers.find((h) => h.key === name.toLowerCase())?.value;
    const sent = sentInput().Content?.Simple?.Headers ?? [];
    expect(sent.map((h) => h.Name)).toEqual([
      'Auto-Submitted',
      'X-Auto-Response-Suppress',
      'X-Meldroute-Kind',
    ]);
    for (const { Name, Value } of sent) expect(inMime(Name ?? ''), Name).toBe(Value);
  });

  it('leaves the configuration set out when none is configured', async () => {
    await mailer().send(mail);
    expect(sentInput()).not.toHaveProperty('ConfigurationSetName');
  });

  it('never lets a header value start a new header line', async () => {
    await mailer().send({
      ...mail,
      subject: 'Nieuw signaal\r\nBcc: attacker@example.org',
      replyTo: 'zorg@moviera.example\r\nBcc: attacker@example.org',
      headers: { 'X-Meldroute-Kind': 'notice\r\nBcc: attacker@example.org' },
    });
    const input = sentInput();
    expect(input.Destination).toEqual({ ToAddresses: ['aandachtsfunctionaris@montfoort.example'] });
    expect(input.Content?.Simple?.Subject?.Data).toBe('Nieuw signaal Bcc: attacker@example.org');
    expect(input.ReplyToAddresses).toEqual(['zorg@moviera.example Bcc: attacker@example.org']);
    expect(headersOf(input)['X-Meldroute-Kind']).toBe('notice Bcc: attacker@example.org');
    expect(JSON.stringify(input.Content)).not.toMatch(/[\r\n]/);
  });

  it.each([
    ['Bcc', 'attacker@example.org'],
    ['reply-to', 'attacker@example.org'],
    ['Message-ID', '<x@example.org>'],
    ['X-Bad:Name', 'x'],
  ])('refuses a mail that sets header %s, before anything is sent', async (name, value) => {
    await expect(mailer().send({ ...mail, headers: { [name]: value } })).rejects.toThrow(
      `mail 01JSIGNAL-notice-0: header ${name} may not be set`,
    );
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it.each([
    ['not ASCII', 'geëscaleerd'],
    ['empty', ' \r\n '],
    ['longer than SES takes', 'x'.repeat(871)],
    ['a control character', 'a\tb'],
  ])('refuses a header value that is %s, naming the mail, on both paths', async (_, value) => {
    const bad = { ...mail, headers: { 'X-Meldroute-Kind': value } };
    const message =
      'mail 01JSIGNAL-notice-0: the value of header X-Meldroute-Kind must be 1 to 870 printable ASCII characters';
    await expect(mailer().send(bad)).rejects.toThrow(message);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
    await expect(buildMime(bad, { from: FROM, date: new Date() })).rejects.toThrow(message);
  });

  it('refuses a mail without recipients', async () => {
    await expect(mailer().send({ ...mail, to: [] })).rejects.toThrow(
      'mail 01JSIGNAL-notice-0 has no recipients',
    );
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('reports throttling as a temporary failure so the outbox retries later', async () => {
    ses.on(SendEmailCommand).rejects(
      Object.assign(new Error('Maximum sending rate exceeded.'), {
        name: 'TooManyRequestsException',
      }),
    );
    await expect(mailer().send(mail)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('passes a rejected message on unchanged', async () => {
    ses
      .on(SendEmailCommand)
      .rejects(
        Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' }),
      );
    await expect(mailer().send(mail)).rejects.toMatchObject({ name: 'MessageRejected' });
  });
});

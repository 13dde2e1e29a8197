import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { UnavailableError } from '#core/errors.ts';
import type { Mailer, OutgoingEmail } from '#core/ports.ts';
import { headerValue, mailHeaders, safeMailId } from './mail-headers.ts';

/**
 * The AWS Mailer: SESv2 simple content (subject, text and HTML body, our
 * headers), from which SES composes the MIME itself. SES sets Message-ID and
 * Date on every message whatever we send, so raw MIME would buy nothing and
 * cost nodemailer in the bundle. The headers follow mail-headers.ts, the same
 * rules the file outbox's MIME follows.
 * SES has no idempotency key, so a send that times out after SES accepted it
 * can go out twice; the outbox claim in the core keeps that window small.
 */
export class SesMailer implements Mailer {
  readonly #client: SESv2Client;
  readonly #from: string;
  readonly #configurationSetName: string | undefined;

  constructor(options: { client: SESv2Client; from: string; configurationSetName?: string }) {
    this.#client = options.client;
    this.#from = options.from;
    this.#configurationSetName = options.configurationSetName;
  }

  async send(mail: OutgoingEmail): Promise<void> {
    if (mail.to.length === 0) throw new Error(`mail ${safeMailId(mail.id)} has no recipients`);
    // Before anything is sent: a header SES would refuse, or we never allow, stops the mail here.
    const headers = mailHeaders(mail);
    const command = new SendEmailCommand({
      FromEmailAddress: headerValue(this.#from),
      Destination: { ToAddresses: mail.to.map(headerValue) },
      ...(mail.replyTo ? { ReplyToAddresses: [headerValue(mail.replyTo)] } : {}),
      Content: {
        Simple: {
          Subject: { Data: headerValue(mail.subject), Charset: 'UTF-8' },
          Body: {
            Text: { Data: mail.text, Charset: 'UTF-8' },
            Html: { Data: mail.html, Charset: 'UTF-8' },
          },
          Headers: Object.entries(headers).map(([Name, Value]) => ({ Name, Value })),
        },
      },
      ...(this.#configurationSetName ? { ConfigurationSetName: this.#configurationSetName } : {}),
      EmailTags: [{ Name: 'mail', Value: tagValue(mail.id) }],
    });
    try {
      await this.#client.send(command);
    } catch (err) {
      if (isTransient(err)) {
        throw new UnavailableError(`SES did not accept mail ${safeMailId(mail.id)}`, {
          cause: err,
        });
      }
      throw err;
    }
  }
}

/** SES tags allow letters, digits, '_' and '-' only, at most 256 characters. */
function tagValue(id: string): string {
  return safeMailId(id).slice(0, 256);
}

/** Throttling and server faults are worth a retry; a rejected message is not. */
function isTransient(err: unknown): boolean {
  const e = err as { name?: string; $fault?: string; $retryable?: unknown };
  return e.$fault === 'server' || Boolean(e.$retryable) || e.name === 'TooManyRequestsException';
}

import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { UnavailableError } from '#core/errors.ts';
import type { Clock, Mailer, OutgoingEmail } from '#core/ports.ts';
import { buildMime, headerValue, safeMailId } from './mime.ts';

/**
 * The AWS Mailer: SESv2 with the raw MIME that the file outbox writes too.
 * SES has no idempotency key, so a send that times out after SES accepted it
 * can go out twice; the outbox claim in the core keeps that window small.
 */
export class SesMailer implements Mailer {
  readonly #client: SESv2Client;
  readonly #from: string;
  readonly #configurationSetName: string | undefined;
  readonly #clock: Clock;

  constructor(options: {
    client: SESv2Client;
    from: string;
    configurationSetName?: string;
    clock?: Clock;
  }) {
    this.#client = options.client;
    this.#from = options.from;
    this.#configurationSetName = options.configurationSetName;
    this.#clock = options.clock ?? { now: () => new Date() };
  }

  async send(mail: OutgoingEmail): Promise<void> {
    const raw = await buildMime(mail, { from: this.#from, date: this.#clock.now() });
    const command = new SendEmailCommand({
      FromEmailAddress: headerValue(this.#from),
      // With Raw content SES would read recipients from the headers anyway;
      // naming them keeps the envelope explicit and equal to To.
      Destination: { ToAddresses: mail.to.map(headerValue) },
      Content: { Raw: { Data: new Uint8Array(raw) } },
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

import * as z from 'zod/mini';
import type { MailVerdicts } from '#core/mail/parsed-message.ts';

/**
 * The shapes an SES receipt rule delivers, as AWS documents them
 * (https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-lambda-event.html,
 * .../receiving-email-notifications-contents.html). Only what the intake
 * reads is required; everything else may vary without breaking the parse.
 */

const Verdict = z.optional(z.object({ status: z.string() }));

const Mail = z.object({
  messageId: z.string().check(z.minLength(1), z.maxLength(200)),
  destination: z._default(z.array(z.string()), []),
});

const Receipt = z.object({
  recipients: z._default(z.array(z.string()), []),
  spamVerdict: Verdict,
  virusVerdict: Verdict,
  spfVerdict: Verdict,
  dkimVerdict: Verdict,
  dmarcVerdict: Verdict,
  action: z.object({
    type: z.string(),
    bucketName: z.optional(z.string()),
    objectKey: z.optional(z.string()),
    encoding: z.optional(z.string()),
  }),
});

/** Lambda action: `Records[].ses` with mail and receipt, no content. */
const LambdaActionEvent = z.object({
  Records: z
    .array(
      z.object({
        eventSource: z.literal('aws:ses'),
        ses: z.object({ mail: Mail, receipt: Receipt }),
      }),
    )
    .check(z.minLength(1)),
});

/** SNS action notification (or an S3 action's alert): may carry the raw message in `content`. */
const Notification = z.object({
  notificationType: z.literal('Received'),
  mail: Mail,
  receipt: Receipt,
  content: z.optional(z.string()),
});

/** The notification as an SNS subscription delivers it to Lambda. */
const SnsEvent = z.object({
  Records: z
    .array(z.object({ EventSource: z.literal('aws:sns'), Sns: z.object({ Message: z.string() }) }))
    .check(z.minLength(1)),
});

/** One received message, whatever the wrapper: where its raw bytes are, and what SES concluded. */
export type InboundMessage = {
  sesMessageId: string;
  recipients: string[];
  verdicts: MailVerdicts;
  /** The raw message when the event carries it (SNS action with content). */
  content?: Uint8Array;
  /** The S3 object SES wrote, when the event names it (S3 action). */
  object?: { bucket: string; key: string };
};

export class UnrecognisedEventError extends Error {
  override readonly name = 'UnrecognisedEventError';
  readonly code = 'EVENT_UNRECOGNISED';
}

/** Parses any of the three shapes; throws UnrecognisedEventError (never echoing the event). */
export function inboundMessages(event: unknown): InboundMessage[] {
  const lambda = LambdaActionEvent.safeParse(event);
  if (lambda.success) return lambda.data.Records.map((r) => toMessage(r.ses.mail, r.ses.receipt));
  const notification = Notification.safeParse(event);
  if (notification.success) return [fromNotification(notification.data)];
  const sns = SnsEvent.safeParse(event);
  if (sns.success) {
    return sns.data.Records.map((r) => {
      let inner: unknown;
      try {
        inner = JSON.parse(r.Sns.Message);
      } catch {
        throw new UnrecognisedEventError('SNS message is not JSON');
      }
      const n = Notification.safeParse(inner);
      if (!n.success) throw new UnrecognisedEventError('SNS message is not an SES notification');
      return fromNotification(n.data);
    });
  }
  throw new UnrecognisedEventError('not an SES receipt event');
}

function fromNotification(n: z.infer<typeof Notification>): InboundMessage {
  const message = toMessage(n.mail, n.receipt);
  if (n.content !== undefined) {
    // SNS delivers UTF-8 by default; BASE64 keeps 8-bit bytes intact.
    const base64 = n.receipt.action.encoding?.toUpperCase() === 'BASE64';
    message.content = base64
      ? new Uint8Array(Buffer.from(n.content.replace(/\s+/g, ''), 'base64'))
      : new TextEncoder().encode(n.content);
  }
  return message;
}

function toMessage(mail: z.infer<typeof Mail>, receipt: z.infer<typeof Receipt>): InboundMessage {
  const { bucketName, objectKey } = receipt.action;
  return {
    sesMessageId: mail.messageId,
    recipients: receipt.recipients.length ? receipt.recipients : mail.destination,
    verdicts: {
      ...verdict('spf', receipt.spfVerdict),
      ...verdict('dkim', receipt.dkimVerdict),
      ...verdict('dmarc', receipt.dmarcVerdict),
      ...verdict('virus', receipt.virusVerdict),
      ...verdict('spam', receipt.spamVerdict),
    },
    ...(receipt.action.type === 'S3' && bucketName && objectKey
      ? { object: { bucket: bucketName, key: objectKey } }
      : {}),
  };
}

const STATUSES = new Set(['PASS', 'FAIL', 'GRAY', 'PROCESSING_FAILED', 'DISABLED']);

function verdict(name: keyof MailVerdicts, v: { status: string } | undefined): MailVerdicts {
  const status = v?.status.toUpperCase();
  return status && STATUSES.has(status) ? { [name]: status as MailVerdicts['spf'] } : {};
}

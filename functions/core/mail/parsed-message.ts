import * as z from 'zod/mini';

/**
 * What the core needs from a parsed email, whatever parser produced it. The
 * MailParser adapter returns this shape and the intake validates it, so a
 * parser upgrade that changes its output fails here, not deep in the use case.
 */

export const MailAddressSchema = z.object({
  name: z.string(),
  address: z.string(),
});
export type MailAddress = z.infer<typeof MailAddressSchema>;

export const MailHeaderSchema = z.object({
  /** Lower case. */
  key: z.string(),
  value: z.string(),
});
export type MailHeader = z.infer<typeof MailHeaderSchema>;

export const ParsedAttachmentSchema = z.object({
  filename: z.nullable(z.string()),
  /** As declared by the sender: never trusted for serving (see content-type.ts). */
  contentType: z.string(),
  disposition: z.nullable(z.string()),
  contentId: z.optional(z.string()),
  content: z.instanceof(Uint8Array),
});
export type ParsedAttachment = z.infer<typeof ParsedAttachmentSchema>;

/** Stable codes for what a parser could not read; the intake turns them into Dutch notes. */
export const PARSE_PROBLEMS = [
  /** The MIME structure hit a limit (nesting, header size) or the time box: body not read. */
  'body-unreadable',
  /** More headers than we keep; the rest were dropped. */
  'headers-truncated',
  /** Line endings were bare CR and were normalised before parsing. */
  'bare-cr-normalised',
] as const;
export type ParseProblem = (typeof PARSE_PROBLEMS)[number];

export const ParsedMessageSchema = z.object({
  headers: z.array(MailHeaderSchema),
  from: z.optional(MailAddressSchema),
  to: z._default(z.array(MailAddressSchema), []),
  cc: z._default(z.array(MailAddressSchema), []),
  subject: z.optional(z.string()),
  messageId: z.optional(z.string()),
  /** Lower-case MIME type of the top-level entity, e.g. `multipart/report`. */
  contentType: z._default(z.string(), 'text/plain'),
  text: z.optional(z.string()),
  html: z.optional(z.string()),
  attachments: z._default(z.array(ParsedAttachmentSchema), []),
  problems: z._default(z.array(z.enum(PARSE_PROBLEMS)), []),
});
export type ParsedMessage = z.infer<typeof ParsedMessageSchema>;

/** SES receipt verdicts (AWS path); the local SMTP intake has none. */
export const VerdictStatusSchema = z.enum([
  'PASS',
  'FAIL',
  'GRAY',
  'PROCESSING_FAILED',
  'DISABLED',
]);
export const MailVerdictsSchema = z.object({
  spf: z.optional(VerdictStatusSchema),
  dkim: z.optional(VerdictStatusSchema),
  dmarc: z.optional(VerdictStatusSchema),
  virus: z.optional(VerdictStatusSchema),
  spam: z.optional(VerdictStatusSchema),
});
export type MailVerdicts = z.infer<typeof MailVerdictsSchema>;

/** All values of a header, in message order. */
export function headerValues(message: Pick<ParsedMessage, 'headers'>, key: string): string[] {
  const k = key.toLowerCase();
  return message.headers.filter((h) => h.key === k).map((h) => h.value);
}

export function firstHeader(
  message: Pick<ParsedMessage, 'headers'>,
  key: string,
): string | undefined {
  return headerValues(message, key)[0];
}

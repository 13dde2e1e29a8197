import type { Config } from '../config.ts';
import type { AttachmentMeta, ReporterPart, SignalSubmission } from '../signal.ts';
import { cleanAddress, isStaffAddress } from './addresses.ts';
import { normaliseContentType, safeFilename, typeLies } from './content-type.ts';
import { htmlToText, stripControls } from './html-to-text.ts';
import type { ParsedMessage } from './parsed-message.ts';

/** Limits of ContentPartSchema / ReporterPartSchema: a stored signal must always open again. */
const MAX_OBSERVED = 20_000;
const MAX_SUBJECT = 1000;
const MAX_NAME = 200;
/** More attachments than this are kept in origineel.eml only. */
export const MAX_ATTACHMENTS = 50;

export const ORIGINAL_ATTACHMENT_ID = 'origineel';

export type AttachmentToStore = { meta: AttachmentMeta; content: Uint8Array };

export type MailSubmission = {
  submission: SignalSubmission;
  attachments: AttachmentToStore[];
  /** Some part could not be read fully: keep the raw message as origineel.eml. */
  attachOriginal: boolean;
  /** False when there is neither text nor an attachment: nothing for an officer to read. */
  readable: boolean;
};

/** The reporter as the From header names them; undefined when there is no usable address. */
export function reporterFromMessage(
  config: Config,
  message: ParsedMessage,
): ReporterPart | undefined {
  const email = cleanAddress(message.from?.address);
  if (!email) return undefined;
  const name = stripControls(message.from?.name ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  return {
    name: (name || email).slice(0, MAX_NAME),
    email,
    external: !isStaffAddress(config, email),
  };
}

export function cleanSubject(subject: string | undefined): string | undefined {
  const s = stripControls(subject ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  return s ? s.slice(0, MAX_SUBJECT) : undefined;
}

/**
 * A new signal from a message that is from a person, with a usable sender.
 * Categorical fields start unknown: the officer classifies an emailed signal.
 */
export function mailSubmission(message: ParsedMessage, reporter: ReporterPart): MailSubmission {
  const notes: string[] = [];
  let attachOriginal = false;

  const body = bodyText(message);
  if (body.fromHtml) {
    notes.push(
      'De e-mail bevatte alleen opgemaakte tekst (HTML). Die is omgezet naar platte tekst.',
    );
  }
  if (body.text.includes('\ufffd')) {
    notes.push(
      'Een deel van de tekst kon niet worden omgezet (onbekende of foute tekenset). Het origineel staat in de bijlage origineel.eml.',
    );
    attachOriginal = true;
  }
  let observed = body.text;
  if (observed.length > MAX_OBSERVED) {
    observed = observed.slice(0, MAX_OBSERVED);
    notes.push(
      `De tekst was langer dan ${MAX_OBSERVED.toLocaleString('nl-NL')} tekens en is ingekort. De volledige e-mail staat in de bijlage origineel.eml.`,
    );
    attachOriginal = true;
  }
  if (message.problems.includes('headers-truncated')) {
    notes.push('De e-mail had uitzonderlijk veel kopregels. Alleen de eerste zijn bewaard.');
    attachOriginal = true;
  }

  const attachments: AttachmentToStore[] = [];
  for (const [i, a] of message.attachments.entries()) {
    if (i >= MAX_ATTACHMENTS) {
      notes.push(
        `De e-mail had ${message.attachments.length} bijlagen. De eerste ${MAX_ATTACHMENTS} staan los hieronder; alle bijlagen zitten in origineel.eml.`,
      );
      attachOriginal = true;
      break;
    }
    const contentType = normaliseContentType(a.contentType);
    const filename = safeFilename(a.filename, contentType, i + 1);
    if (typeLies(contentType, a.content)) {
      notes.push(
        `Bijlage "${filename}": het opgegeven bestandstype (${contentType}) klopt niet met de inhoud. Open deze bijlage alleen als u de afzender vertrouwt.`,
      );
    }
    attachments.push({
      meta: { id: `a${i + 1}`, filename, contentType, size: a.content.byteLength },
      content: a.content,
    });
  }
  if (!observed && attachments.length > 0) {
    notes.push('De e-mail bevatte geen tekst, alleen bijlagen.');
  }

  const subject = cleanSubject(message.subject);
  return {
    submission: {
      reporter,
      content: {
        persons: [],
        organisations: [],
        observed,
        ...(subject ? { subject } : {}),
        ...(notes.length ? { intakeNotes: notes } : {}),
        attachments: attachments.map((a) => a.meta),
      },
      classification: {
        exploitationForm: 'unknown',
        urgency: 'normal',
        indicators: [],
        vulnerabilities: [],
      },
    },
    attachments,
    attachOriginal,
    readable: observed.length > 0 || attachments.length > 0,
  };
}

/** The plain text part; HTML-only mail converted to text (the inbox never renders HTML). */
export function bodyText(message: ParsedMessage): { text: string; fromHtml: boolean } {
  const text = stripControls(message.text ?? '').trim();
  if (text) return { text, fromHtml: false };
  if (message.html) {
    const converted = htmlToText(message.html, MAX_OBSERVED * 10);
    if (converted) return { text: converted, fromHtml: true };
  }
  return { text: '', fromHtml: false };
}

export function originalAttachmentMeta(size: number): AttachmentMeta {
  return {
    id: ORIGINAL_ATTACHMENT_ID,
    filename: 'origineel.eml',
    contentType: 'message/rfc822',
    size,
  };
}

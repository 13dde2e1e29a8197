import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { MeldrouteError } from '#core/errors.ts';
import type { EmailRenderer, RenderedEmail } from '#core/ports.ts';

/**
 * Every email Meldroute sends, with typed inputs. The HTML comes from
 * templates/compiled/<name>.html (built by `npm run build:templates` from the
 * .mjml sources) and the plain-text part from templates/<name>.txt.
 *
 * Placeholder syntax, a small subset of Mustache:
 *   {{name}}                 a string value (HTML-escaped in the HTML part)
 *   {{#flag}}...{{/flag}}    kept when the boolean `flag` is true
 *   {{^flag}}...{{/flag}}    kept when it is false
 * A placeholder without a value is an error, never an empty string: a silently
 * blank reference or link is worse than a mail that is retried after a fix.
 *
 * Nothing a reporter typed goes into any template except the reference:
 * receipts and notifications name a signal, they never carry its content.
 */

export class TemplateError extends MeldrouteError {
  override readonly name = 'TemplateError';
  override readonly code = 'TEMPLATE_INVALID';
}

/** Trimmed, not empty, at most `max` characters. */
const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
const whole = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));
const count = z.int().check(z.minimum(0));

const municipality = text(120);
// Normalised through URL so characters that would end a link in a plain-text
// mail client (spaces, quotes, angle brackets) arrive percent-encoded.
const httpUrl = z.pipe(
  z.url({ protocol: /^https?$/ }),
  z.transform((s) => new URL(s).href),
);
const baseUrl = z.pipe(
  httpUrl,
  z.transform((s) => s.replace(/\/+$/, '')),
);
const reference = text(64);

type Vars = Record<string, string | number | boolean>;
type TemplateDef<S extends z.ZodMiniType> = {
  schema: S;
  /** Only set by us and the reference; CR/LF is stripped from the result anyway. */
  subject: (data: z.output<S>) => string;
  vars: (data: z.output<S>) => Vars;
};

const define = <S extends z.ZodMiniType>(def: TemplateDef<S>): TemplateDef<S> => def;

export const TEMPLATES = {
  /** To the reporter after a web-form signal. */
  receipt: define({
    schema: z.object({ municipality, reference }),
    subject: (d) => `Ontvangstbevestiging signaal ${d.reference}`,
    vars: (d) => d,
  }),
  /** To the reporter after a signal emailed to the mailbox. */
  'receipt-email': define({
    schema: z.object({ municipality, reference, baseUrl }),
    subject: (d) => `Ontvangstbevestiging signaal ${d.reference}`,
    vars: (d) => ({ ...d, formUrl: `${d.baseUrl}/melden` }),
  }),
  /** To the officer(s): a pointer to the inbox, never the content. */
  'new-signal': define({
    schema: z.object({ municipality, reference, link: httpUrl, acute: z.boolean() }),
    subject: (d) => `Nieuw signaal ${d.reference}${d.acute ? ' (acuut)' : ''}`,
    vars: (d) => d,
  }),
  'login-link': define({
    schema: z.object({ municipality, link: httpUrl, minutes: whole(1, 60) }),
    subject: () => 'Uw inloglink voor Meldroute',
    vars: (d) => ({
      municipality: d.municipality,
      link: d.link,
      validFor: d.minutes === 1 ? '1 minuut' : `${d.minutes} minuten`,
    }),
  }),
  /** To the sender of a mail the intake could not read. Echoes nothing of it. */
  unprocessable: define({
    schema: z.object({
      municipality,
      baseUrl,
      mailbox: z.email(),
      reason: z._default(z.enum(['unreadable', 'too-large']), 'unreadable'),
    }),
    subject: () => 'Uw e-mail aan het meldpunt mensenhandel kon niet worden gelezen',
    vars: (d) => ({
      municipality: d.municipality,
      mailbox: d.mailbox,
      formUrl: `${d.baseUrl}/melden`,
      tooLarge: d.reason === 'too-large',
    }),
  }),
  /**
   * To a chain partner (step 4). PARTNER-FACING: no reporter field, ever
   * (test/unit/templates.test.ts checks the schema's keys). The handover text
   * is the officer's, checked against the reporter before sending.
   */
  'partner-notification': define({
    schema: z.object({
      municipality,
      reference,
      partnerName: text(200),
      acute: z.boolean(),
      link: httpUrl,
      /** Dutch words, e.g. "vrijdag 13 maart 2026". */
      dueDate: text(60),
      expiresOn: text(60),
      textInEmail: z.boolean(),
      /** Empty unless the partner's directory entry says the text may travel by email. */
      handoverText: z.string().check(z.maxLength(20000)),
    }),
    subject: (d) =>
      `Signaal mensenhandel ${d.reference}${d.acute ? ' (acuut)' : ''}: graag uw terugkoppeling`,
    vars: (d) => ({ ...d, handoverText: d.textInEmail ? d.handoverText : '' }),
  }),
  /** To the officer(s): a partner answered. Names the partner and the reference, never the answer. */
  /** To the officers: the reporter added something by email (reference and link only). */
  'addition-received': define({
    schema: z.object({ municipality, reference, link: httpUrl }),
    subject: (d) => `Aanvulling op signaal ${d.reference}`,
    vars: (d) => d,
  }),
  'feedback-received': define({
    schema: z.object({
      municipality,
      reference,
      partnerName: text(200),
      link: httpUrl,
    }),
    subject: (d) => `Terugkoppeling op signaal ${d.reference}`,
    vars: (d) => d,
  }),
  /**
   * To a chain partner whose feedback is late (issue 5). PARTNER-FACING: the
   * reference, how long it waits and the link; never the handover text (the
   * link shows it), never anything of the reporter.
   */
  'partner-reminder': define({
    schema: z.object({
      municipality,
      reference,
      partnerName: text(200),
      waitingDays: whole(0, 10000),
      /** Dutch words, e.g. "vrijdag 13 maart 2026". */
      dueDate: text(60),
      /** false when the officer revoked the link: the partner can still reply by email. */
      hasLink: z.boolean(),
      link: httpUrl,
      expiresOn: text(60),
    }),
    subject: (d) => `Herinnering: graag uw terugkoppeling op signaal ${d.reference}`,
    vars: (d) => d,
  }),
  /** To the officer(s): chasing ended without an answer. Reference, partner, days; no content. */
  'reminder-escalation': define({
    schema: z.object({
      municipality,
      reference,
      partnerName: text(200),
      waitingDays: whole(0, 10000),
      reminders: whole(0, 100),
      link: httpUrl,
    }),
    subject: (d) => `Te laat: geen terugkoppeling van ${d.partnerName} op signaal ${d.reference}`,
    vars: (d) => d,
  }),
  /** To each officer on working days: references and counts only. */
  'officer-digest': define({
    schema: z.object({
      municipality,
      date: text(60),
      newCount: count,
      newList: z.string().check(z.maxLength(4000)),
      waitingCount: count,
      waitingList: z.string().check(z.maxLength(4000)),
      overdueCount: count,
      overdueList: z.string().check(z.maxLength(4000)),
      openLongCount: count,
      openLongList: z.string().check(z.maxLength(4000)),
      openLongerThanDays: z.int().check(z.minimum(1)),
      link: httpUrl,
    }),
    subject: (d) => `Meldroute: overzicht van ${d.date}`,
    vars: (d) => d,
  }),
  /** To the reporter (step 6): what was done, written by the officer. */
  'reporter-feedback': define({
    schema: z.object({ municipality, reference, message: text(5000) }),
    subject: (d) => `Wat er met uw signaal ${d.reference} is gedaan`,
    vars: (d) => d,
  }),
};

/** Templates whose mail goes to chain partners: their inputs may never name the reporter. */
export const PARTNER_FACING_TEMPLATES = [
  'partner-notification',
  'partner-reminder',
] as const satisfies readonly (keyof typeof TEMPLATES)[];

export type TemplateName = keyof typeof TEMPLATES;
export type TemplateInput<N extends TemplateName> = z.input<(typeof TEMPLATES)[N]['schema']>;
export const TEMPLATE_NAMES = Object.keys(TEMPLATES) as TemplateName[];

/**
 * Validates `data`, then fills the compiled HTML (escaped values) and the text
 * part (plain values). Synchronous: the templates are read once and cached.
 * Throws TemplateError on invalid data (naming fields, never values) or on a
 * placeholder without a value.
 */
export function renderEmail<N extends TemplateName>(
  name: N,
  data: TemplateInput<N>,
): RenderedEmail {
  // The registry is heterogeneous; each entry is consistent with itself.
  const def = TEMPLATES[name] as unknown as TemplateDef<z.ZodMiniType>;
  const parsed = def.schema.safeParse(data);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(root)');
    throw new TemplateError(`Invalid data for email template ${name}: ${fields.join(', ')}`);
  }
  const subject = oneLine(def.subject(parsed.data));
  const vars: Vars = { ...def.vars(parsed.data), subject };
  const { html, text } = load(name);
  return {
    subject,
    html: fill(html, vars, escapeHtml, name),
    text: fill(text, vars, String, name),
  };
}

export function isTemplateName(name: string): name is TemplateName {
  return Object.hasOwn(TEMPLATES, name);
}

/** `renderEmail` behind the core's untyped `EmailRenderer` port. */
export const emailRenderer: EmailRenderer = async (template, data) => {
  if (!isTemplateName(template)) throw new TemplateError(`Unknown email template ${template}`);
  return renderEmail(template, data as TemplateInput<typeof template>);
};

/** For every value that ends up in a mail header. */
export function oneLine(value: string): string {
  return value
    .replace(/[\r\n]+/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}
const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

// ---- template parsing and filling -------------------------------------------

type Node =
  | { kind: 'text'; value: string }
  | { kind: 'var'; key: string }
  | { kind: 'section'; key: string; inverted: boolean; body: Node[] };

const TAG = /\{\{([#^/]?)(\w+)\}\}/g;
const cache = new Map<TemplateName, { html: Node[]; text: Node[] }>();

function load(name: TemplateName): { html: Node[]; text: Node[] } {
  let parsed = cache.get(name);
  if (!parsed) {
    parsed = {
      html: parse(readSource(`./compiled/${name}.html`), `compiled/${name}.html`),
      text: parse(readSource(`./${name}.txt`), `${name}.txt`),
    };
    cache.set(name, parsed);
  }
  return parsed;
}

function readSource(relative: string): string {
  // Relative to this module, not the working directory (tests, Lambda, npm start).
  return readFileSync(new URL(relative, import.meta.url), 'utf8');
}

/** Parsed once per template, so a render is one walk over a few dozen nodes. */
function parse(source: string, file: string): Node[] {
  const root: Node[] = [];
  const stack: { key: string; nodes: Node[] }[] = [{ key: '', nodes: root }];
  let last = 0;
  const literal = (value: string) => {
    if (value.includes('{{')) throw new TemplateError(`${file}: malformed placeholder`);
    if (value) stack.at(-1)?.nodes.push({ kind: 'text', value });
  };
  for (const m of source.matchAll(TAG)) {
    literal(source.slice(last, m.index));
    last = m.index + m[0].length;
    const [, sigil, key = ''] = m;
    const top = stack.at(-1) ?? { key: '', nodes: root };
    if (sigil === '/') {
      if (stack.length === 1 || top.key !== key) {
        throw new TemplateError(`${file}: {{/${key}}} closes nothing`);
      }
      stack.pop();
    } else if (sigil === '#' || sigil === '^') {
      const body: Node[] = [];
      top.nodes.push({ kind: 'section', key, inverted: sigil === '^', body });
      stack.push({ key, nodes: body });
    } else {
      top.nodes.push({ kind: 'var', key });
    }
  }
  literal(source.slice(last));
  if (stack.length > 1) throw new TemplateError(`${file}: {{#${stack.at(-1)?.key}}} not closed`);
  return root;
}

function fill(nodes: Node[], vars: Vars, encode: (s: string) => string, name: string): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') {
      out += node.value;
      continue;
    }
    const value = vars[node.key];
    if (node.kind === 'var') {
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw new TemplateError(`${name}: no value for placeholder {{${node.key}}}`);
      }
      out += encode(String(value));
    } else {
      if (typeof value !== 'boolean') {
        throw new TemplateError(`${name}: section {{#${node.key}}} needs a boolean`);
      }
      if (value !== node.inverted) out += fill(node.body, vars, encode, name);
    }
  }
  return out;
}

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '#core/config.ts';
import { synthMeldroute } from './support.ts';

/**
 * The esbuild bundles as Lambda receives them: what is in each asset, how big
 * it is, and whether it loads and answers in a fresh Node process (ESM, the
 * require() banner, files read next to the bundle).
 */

/** Minified handler, without its source map. Issue 8 compares against a bare handler; this is the ceiling. */
const BUDGET_BYTES = 2.5 * 1024 * 1024;

let template: Template;
let outdir: string;
const assets = new Map<string, string>();

beforeAll(() => {
  const synth = synthMeldroute({}, { validate: false });
  template = synth.template;
  outdir = synth.app.synth().directory;
  for (const [id, fn] of Object.entries(template.findResources('AWS::Lambda::Function'))) {
    const key = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
    assets.set(id.replace(/Function[0-9A-F]{8}$/, ''), join(outdir, `asset.${key}`));
  }
}, 180_000);

const dirOf = (name: string): string => {
  const dir = assets.get(name);
  if (!dir) throw new Error(`no asset for ${name}: ${[...assets.keys()].join(', ')}`);
  return dir;
};

const ENV = {
  PATH: process.env.PATH ?? '',
  MELDROUTE_CONFIG: 'config.json',
  TABLE_NAME: 'meldroute',
  KMS_KEY_ARN: 'arn:aws:kms:eu-central-1:111122223333:key/11111111-2222-3333-4444-555555555555',
  SECRETS_KEY_ARN: 'arn:aws:kms:eu-central-1:111122223333:key/66666666-2222-3333-4444-555555555555',
  RAW_MAIL_BUCKET: 'raw',
  ATTACHMENTS_BUCKET: 'attachments',
  AWS_REGION: 'eu-central-1',
  BASE_URL: 'https://abc123.execute-api.eu-central-1.amazonaws.com',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
};

/** Imports the bundle in a fresh Node process (no credentials, no network) and runs `script`. */
function runBundle(dir: string, script: string, env: Record<string, string> = {}): unknown {
  const code = `const mod = await import(${JSON.stringify(`${dir}/index.mjs`)});\n${script}`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: dir,
    env: { ...ENV, LAMBDA_TASK_ROOT: dir, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const last = out.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last);
}

const apiEvent = (path: string) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: path,
  rawQueryString: '',
  headers: { host: 'abc123.execute-api.eu-central-1.amazonaws.com', 'x-forwarded-proto': 'https' },
  requestContext: {
    accountId: '111122223333',
    apiId: 'abc123',
    domainName: 'abc123.execute-api.eu-central-1.amazonaws.com',
    domainPrefix: 'abc123',
    http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.10', userAgent: 'test' },
    requestId: 'req-1',
    routeKey: '$default',
    stage: '$default',
    time: '01/Mar/2026:09:00:00 +0000',
    timeEpoch: 1772355600000,
  },
  isBase64Encoded: false,
});

describe('lambda bundles', () => {
  it('are minified ESM per function (index.mjs and its lazy chunks), each under the size ceiling (sizes reported)', () => {
    const sizes: Record<string, string> = {};
    for (const [name, dir] of assets) {
      const js = readdirSync(dir).filter((f) => f.endsWith('.mjs'));
      expect(js, name).toContain('index.mjs');
      const bytes = js.reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
      sizes[name] = `${(bytes / 1024).toFixed(0)} KiB in ${js.length} file(s)`;
      expect(bytes, name).toBeLessThan(BUDGET_BYTES);
      for (const f of js) expect(existsSync(join(dir, `${f}.map`)), `${name}/${f}`).toBe(true);
    }
    console.info('bundle sizes (minified, without source map):', sizes);
    expect(assets.size).toBe(8);
  });

  it('carry the validated municipality config as config.json, not as environment', () => {
    for (const [name, dir] of assets) {
      const config = parseConfig(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')), name);
      expect(config.municipality.code).toBe('montfoort');
    }
  });

  it('carry the stylesheet and email templates the code reads next to itself', () => {
    const web = dirOf('Web');
    expect(existsSync(join(web, 'static', 'meldroute.css'))).toBe(true);
    expect(existsSync(join(dirOf('WebPartner'), 'static', 'meldroute.css'))).toBe(true);
    for (const name of ['Web', 'WebPartner', 'MailIntake', 'SchedulesReminders']) {
      const dir = dirOf(name);
      const html = readdirSync(join(dir, 'compiled')).filter((f) => f.endsWith('.html'));
      const text = readdirSync(dir).filter((f) => f.endsWith('.txt'));
      expect(html.length, name).toBeGreaterThan(0);
      expect(text.map((t) => t.replace('.txt', '.html')).sort(), name).toEqual(html.sort());
    }
  });

  it('web: loads, answers /healthz, sends /melden to sign-in, serves CSS and has no /dev/mail', () => {
    const event = JSON.stringify(apiEvent('/'));
    const result = runBundle(
      dirOf('Web'),
      `const out = {};
       for (const path of ['/healthz', '/melden', '/dev/mail', '/static/meldroute.css']) {
         const e = ${event};
         e.rawPath = path; e.requestContext.http.path = path;
         const r = await mod.main(e, {});
         out[path] = [r.statusCode, r.headers?.location ?? null];
       }
       console.log(JSON.stringify(out));`,
      // No KMS here: without the secrets key the officer's route stays off, the rest works.
      { SECRETS_KEY_ARN: '' },
    );
    expect(result).toEqual({
      '/healthz': [200, null],
      '/melden': [303, expect.stringMatching(/^\/login/)],
      '/dev/mail': [404, null],
      '/static/meldroute.css': [200, null],
    });
  });

  it('partner: loads without calling KMS, answers /healthz and CSS, and carries no other page', () => {
    const event = JSON.stringify(apiEvent('/'));
    const result = runBundle(
      dirOf('WebPartner'),
      `const out = {};
       for (const path of ['/healthz', '/static/meldroute.css']) {
         const e = ${event};
         e.rawPath = path; e.requestContext.http.path = path;
         const r = await mod.main(e, {});
         out[path] = r.statusCode;
       }
       console.log(JSON.stringify(out));`,
    );
    expect(result).toEqual({ '/healthz': 200, '/static/meldroute.css': 200 });
    // Not only unrouted: the officer's, staff's and sign-in pages are not in this function at all.
    const dir = dirOf('WebPartner');
    const sources = readdirSync(dir)
      .filter((f) => f.endsWith('.mjs.map'))
      .flatMap((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')).sources as string[]);
    expect(sources.some((f) => f.endsWith('forms/routes/partner.tsx'))).toBe(true);
    for (const route of ['inbox', 'auth', 'melden', 'workflow', 'handover', 'mail-views']) {
      expect(
        sources.filter((f) => f.endsWith(`forms/routes/${route}.tsx`)),
        route,
      ).toEqual([]);
    }
  });

  it('outbox, the scheduled jobs and the SES events function load and refuse an event they do not know', () => {
    const outbox = runBundle(
      dirOf('OutboxSender'),
      `try { await mod.main({ hello: 'world' }, { logger: { info() {}, warn() {}, error() {} } }); console.log('null'); }
       catch (e) { console.log(JSON.stringify(e.name)); }`,
    );
    expect(outbox).toBe('UnrecognisedEventError');
    // Reminders and digest (issue 5), retention (issue 6), SES events (issue 7): loaded without touching AWS.
    for (const name of [
      'SchedulesReminders',
      'SchedulesDigest',
      'SchedulesRetention',
      'MailSesEvents',
    ]) {
      const r = runBundle(
        dirOf(name),
        `try { await mod.main({ job: 'x' }, { logger: { info() {}, warn() {}, error() {} } }); console.log('null'); }
         catch (e) { console.log(JSON.stringify(e.name)); }`,
      );
      expect(r, name).toBe('UnrecognisedEventError');
    }
    // The lazily wired handlers read their environment only on the first event.
    for (const name of ['SchedulesRetention', 'MailSesEvents']) {
      expect(runBundle(dirOf(name), `console.log(JSON.stringify(typeof mod.handler));`), name).toBe(
        'function',
      );
    }
  });

  it('the intake loads without touching AWS until its first event', () => {
    expect(runBundle(dirOf('MailIntake'), `console.log(JSON.stringify(typeof mod.handler));`)).toBe(
      'function',
    );
  });
});

import type { Row } from '../lib/harness.ts';
import type { BenchContext } from '../lib/setup.ts';
import { emailRenderSuite } from './email-render.ts';
import { formPostSuite } from './form-post.ts';
import { healthzSuite } from './healthz.ts';
import { inboxSuite } from './inbox.ts';
import { kmsCallsSuite } from './kms-calls.ts';
import { lambdaBundlesSuite } from './lambda-bundles.ts';
import { mailIntakeSuite } from './mail-intake.ts';
import { remindersSuite } from './reminders.ts';

export type Suite = { name: string; title: string; run(ctx: BenchContext): Promise<Row[]> };

/** Cheap ones first, so a broken harness shows quickly; the table is sorted afterwards. */
export const SUITES: Suite[] = [
  { name: 'render', title: 'email rendering against mjml2html', run: emailRenderSuite },
  { name: 'kms', title: 'KMS calls per detail page (web Lambda, KMS mock)', run: kmsCallsSuite },
  { name: 'form', title: 'staff form POST and memory', run: formPostSuite },
  { name: 'inbox', title: 'inbox list and "already known" with many signals', run: inboxSuite },
  { name: 'reminders', title: 'reminder job: items read', run: remindersSuite },
  {
    name: 'intake',
    title: 'mail intake of a 1 MB message with 5 attachments',
    run: mailIntakeSuite,
  },
  { name: 'healthz', title: 'GET /healthz throughput against bare node:http', run: healthzSuite },
  { name: 'lambda', title: 'Lambda bundle sizes and cold starts', run: lambdaBundlesSuite },
];

/**
 * Rendering one notification email at run time (the precompiled template
 * filled by templates/render.ts) against one `mjml2html` call of the same
 * template, as scripts/compile-templates.ts makes it at build time.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import mjml2html from 'mjml';
import { Bench } from 'tinybench';
import { renderEmail } from '#templates/render.ts';
import { atMost, failed, measured, type Row } from '../lib/harness.ts';
import { type BenchContext, ROOT } from '../lib/setup.ts';

export const RENDER = 'rendering one notification email at run time (p50)';
const BUDGET = atMost(0.1);
const TEMPLATE = 'new-signal';

export async function emailRenderSuite(ctx: BenchContext): Promise<Row[]> {
  try {
    const dir = join(ROOT, 'templates');
    const file = join(dir, `${TEMPLATE}.mjml`);
    const source = await readFile(file, 'utf8');
    // The options the build uses (scripts/compile-templates.ts).
    const options = {
      filePath: file,
      ignoreIncludes: false,
      includePath: dir,
      validationLevel: 'strict' as const,
      keepComments: false,
    };
    const data = {
      municipality: ctx.config.municipality.name,
      reference: 'MH-2026-0042',
      link: `${ctx.config.baseUrl}/inbox/01jq3v8w5k2m4n6p8r0s2t4v6x`,
      acute: false,
    };
    // Fail early, not inside the timing loop.
    renderEmail(TEMPLATE, data);
    const compiled = await mjml2html(source, options);
    if (compiled.errors.length) throw new Error(`${TEMPLATE}.mjml does not compile`);

    const bench = new Bench({
      time: ctx.quick ? 300 : 2_000,
      warmupTime: ctx.quick ? 100 : 500,
      iterations: ctx.quick ? 20 : 100,
    });
    bench
      .add('render', () => {
        renderEmail(TEMPLATE, data);
      })
      .add('mjml2html', async () => {
        await mjml2html(source, options);
      });
    await bench.run();
    const p50 = (name: string) => {
      const r = bench.getTask(name)?.result;
      if (!r || !('latency' in r)) throw new Error(`${name} has no result`);
      return { p50: r.latency.p50, samples: r.latency.samplesCount };
    };
    const render = p50('render');
    const mjml = p50('mjml2html');
    return [
      measured({
        metric: RENDER,
        unit: 'ms',
        value: render.p50,
        baseline: { label: 'one mjml2html call', value: mjml.p50 },
        budget: BUDGET,
        note: `template ${TEMPLATE}; tinybench in process, ${render.samples} and ${mjml.samples} samples`,
      }),
    ];
  } catch (err) {
    return [failed(RENDER, BUDGET, err)];
  }
}

import { type Context, Hono } from 'hono';
import * as z from 'zod/mini';
import { PAGE_INPUT } from '#core/input.ts';
import {
  currentHalfYear,
  type Period,
  PeriodSchema,
  periodInstants,
  periodLabel,
  previousPeriod,
} from '#core/monitoring/period.ts';
import type { Role } from '#core/ports.ts';
import { auditCsv, auditOfPeriod, auditOfSignal } from '#core/use-cases/audit-export.ts';
import { eraseSignal, OFFICER_REASONS } from '#core/use-cases/erasure.ts';
import { monitoringView, regionalExport } from '#core/use-cases/monitoring.ts';
import type { AppDeps, AppEnv } from '../http/context.ts';
import { PageError } from '../http/page-error.ts';
import { formFields, page } from '../http/respond.ts';
import { assertCsrf, requireRole } from '../http/session.ts';
import { EraseConfirmPage, ErasedPage } from '../pages/erase.tsx';
import { MonitorPage } from '../pages/monitor.tsx';

/**
 * Monitoring (figures, regional CSV), the audit export, and an officer's
 * early erasure of one signal. Figures never decrypt anything.
 */

/**
 * Who sees the figures. HOOK: the analyst role (figures only, never content)
 * is being added; once it is, set this to 'analyst' (hasRole lets officers in
 * too). The audit export and erasure stay officer-only below.
 */
const FIGURES_ROLE: Role = 'officer';

const SignalId = z.string().check(z.regex(/^[a-z0-9]{10,40}$/));
const EraseForm = z.object({ _csrf: z.string(), reason: z.enum(OFFICER_REASONS) });

export function monitorRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const { config } = deps;
  app.use('/monitor', requireRole(FIGURES_ROLE));
  app.use('/monitor/export.csv', requireRole(FIGURES_ROLE));
  app.use('/monitor/audit.csv', requireRole('officer'));
  app.use('/inbox/:id/wissen', requireRole('officer'));
  app.use('/inbox/:id/audit.csv', requireRole('officer'));

  app.get('/monitor', async (c) => {
    const period = periodFrom(c, deps);
    const view = await monitoringView(deps, period);
    return page(
      c,
      <MonitorPage
        config={config}
        user={c.get('session')}
        csrfToken={c.get('csrfToken')}
        period={period}
        previousPeriod={previousPeriod(period)}
        figures={view.published}
        previous={view.publishedPrevious}
      />,
    );
  });

  app.get('/monitor/export.csv', async (c) => {
    const period = periodFrom(c, deps);
    const { csv } = await regionalExport(deps, period);
    deps.logger.info('monitoring exported', { period: periodLabel(period) });
    return csvResponse(
      c,
      csv,
      `meldroute-${config.municipality.code}-${period.from}-${period.to}.csv`,
    );
  });

  app.get('/monitor/audit.csv', async (c) => {
    const period = periodFrom(c, deps);
    const { fromIso, toIso } = periodInstants(period);
    const rows = await auditOfPeriod(auditDeps(deps), fromIso, toIso);
    deps.logger.info('audit exported', { period: periodLabel(period), rows: rows.length });
    return csvResponse(c, auditCsv(rows), `meldroute-audit-${period.from}-${period.to}.csv`);
  });

  app.get('/inbox/:id/audit.csv', async (c) => {
    const id = signalId(c);
    const rows = await auditOfSignal(auditDeps(deps), id);
    if (!rows) throw notFound();
    deps.logger.info('audit exported', { signalId: id, rows: rows.length });
    return csvResponse(c, auditCsv(rows), `meldroute-audit-${id}.csv`);
  });

  app.get('/inbox/:id/wissen', async (c) => {
    const signal = await deps.store.get(signalId(c));
    if (!signal) throw notFound();
    return page(c, <EraseConfirmPage {...frame(c)} id={signal.id} reference={signal.reference} />);
  });

  app.post('/inbox/:id/wissen', async (c) => {
    const id = signalId(c);
    const body = await formFields(c);
    assertCsrf(c, body._csrf);
    const signal = await deps.store.get(id);
    if (!signal) throw notFound();
    const form = EraseForm.safeParse(body);
    if (!form.success) {
      return page(
        c,
        <EraseConfirmPage
          {...frame(c)}
          id={id}
          reference={signal.reference}
          error="Kies een reden."
        />,
        400,
      );
    }
    if (!deps.retention || !deps.blobs) {
      // Half an erasure is worse than none: refuse rather than leave attachments behind.
      throw new PageError(
        503,
        'Wissen kan hier niet',
        'Wissen is in deze omgeving niet ingesteld. Er is niets gewist.',
      );
    }
    const actor = c.get('session')?.email ?? 'unknown';
    const r = await eraseSignal(
      { ...deps, retention: deps.retention, blobs: deps.blobs },
      { id, actor, reason: form.data.reason },
    );
    if (!r.erased) throw notFound();
    return page(c, <ErasedPage {...frame(c)} reference={signal.reference} />);
  });

  function frame(c: Context<AppEnv>) {
    return { config, user: c.get('session'), csrfToken: c.get('csrfToken') };
  }

  return app;
}

function auditDeps(deps: AppDeps) {
  // Without a retention store there are no remnants to report on.
  const none = {
    getRemnant: async () => undefined,
    listRemnantIds: async () => [],
  };
  return {
    store: deps.store,
    retention: { ...none, ...deps.retention } as NonNullable<AppDeps['retention']>,
  };
}

/** `from`/`to` from the query, both or neither; default the current half-year in Amsterdam. */
function periodFrom(c: Context<AppEnv>, deps: AppDeps): Period {
  const from = c.req.query('from');
  const to = c.req.query('to');
  if (from === undefined && to === undefined) return currentHalfYear(deps.clock.now());
  const p = PeriodSchema.safeParse({ from, to }, PAGE_INPUT);
  if (!p.success) {
    const why = p.error.issues[0]?.message ?? 'onbekende fout';
    throw new PageError(
      400,
      'Periode klopt niet',
      `Vul een begin- en einddatum in, zoals 2026-01-01 (${why}).`,
    );
  }
  return p.data;
}

function signalId(c: Context<AppEnv>): string {
  const id = SignalId.safeParse(c.req.param('id'));
  if (!id.success) throw notFound();
  return id.data;
}

function csvResponse(c: Context, csv: string, filename: string) {
  return c.body(csv, 200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${filename}"`,
    'Cache-Control': 'no-store',
  });
}

function notFound() {
  return new PageError(404, 'Signaal niet gevonden', 'Dit signaal bestaat niet (meer).');
}

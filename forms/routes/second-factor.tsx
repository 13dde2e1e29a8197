import type { Context } from 'hono';
import { Hono } from 'hono';
import * as z from 'zod/mini';
import {
  confirmEnrolment,
  currentEnrolment,
  type FactorFailure,
  factorStatus,
  startEnrolment,
  verifySecondFactor,
} from '#core/use-cases/second-factor.ts';
import type { AppDeps, AppEnv } from '../http/context.ts';
import { page } from '../http/respond.ts';
import { assertCsrf, SECOND_FACTOR_PATH, startSessionCookie } from '../http/session.ts';
import { ErrorPage } from '../pages/errors.tsx';
import { CodePage, EnrolPage, RecoveryCodesPage, SetupIntroPage } from '../pages/second-factor.tsx';

const CodeInput = z.string().check(z.trim(), z.maxLength(20));

const MESSAGES: Record<Exclude<FactorFailure, 'rate-limited' | 'not-enrolled'>, string> = {
  'wrong-code':
    'Deze code klopt niet of is al gebruikt. Wacht tot de app een nieuwe code laat zien en probeer het opnieuw.',
};

/**
 * The second step for officers signed in by email link. Every route here
 * needs a session that is still pending; a full session has nothing to do here.
 */
export function secondFactorRoutes(deps: AppDeps, https: boolean) {
  const app = new Hono<AppEnv>();
  const { config } = deps;
  const factorDeps = { ...deps, factors: deps.factors };

  const pending = (c: Context<AppEnv>) => c.get('pendingSession');
  const landing = (role: string) => (role === 'officer' ? '/inbox' : '/melden');

  const tooMany = (c: Context<AppEnv>) => {
    c.header('Retry-After', '900');
    return page(
      c,
      <ErrorPage
        config={config}
        status={429}
        title="Te veel pogingen"
        message="U heeft te vaak een verkeerde code ingevuld. Wacht een kwartier en probeer het dan opnieuw."
      />,
      429,
    );
  };

  // Not pending (signed out, or already through): back to the start.
  const notPending = (c: Context<AppEnv>) => c.redirect(c.get('session') ? '/' : '/login', 303);

  app.get(SECOND_FACTOR_PATH, async (c) => {
    const session = pending(c);
    if (!session) return notPending(c);
    const status = await factorStatus(factorDeps, session.email);
    const csrfToken = c.get('csrfToken');
    if (status === 'active') return page(c, <CodePage config={config} csrfToken={csrfToken} />);
    return page(c, <SetupIntroPage config={config} csrfToken={csrfToken} />);
  });

  app.post(SECOND_FACTOR_PATH, async (c) => {
    const session = pending(c);
    if (!session) return notPending(c);
    const body = await c.req.parseBody();
    assertCsrf(c, body._csrf);
    const code = CodeInput.safeParse(body.code);
    const result = await verifySecondFactor(factorDeps, session, code.success ? code.data : '');
    if (!result.ok) {
      deps.logger.warn('second factor refused', { reason: result.reason });
      if (result.reason === 'rate-limited') return tooMany(c);
      if (result.reason === 'not-enrolled') return c.redirect(SECOND_FACTOR_PATH, 303);
      return page(
        c,
        <CodePage config={config} csrfToken={c.get('csrfToken')} error={MESSAGES[result.reason]} />,
        400,
      );
    }
    startSessionCookie(c, https, result.next.sessionId, config.signIn.absoluteHours);
    deps.logger.info('second factor given', { method: result.method });
    return c.redirect(landing(result.next.session.role), 303);
  });

  // A POST: making a new secret changes state, so it never happens on GET.
  app.post('/tweede-stap/instellen', async (c) => {
    const session = pending(c);
    if (!session) return notPending(c);
    const body = await c.req.parseBody();
    assertCsrf(c, body._csrf);
    const enrolment = await startEnrolment(factorDeps, session);
    if (!enrolment) return c.redirect(SECOND_FACTOR_PATH, 303);
    return enrolPage(c, enrolment);
  });

  app.post('/tweede-stap/instellen/bevestigen', async (c) => {
    const session = pending(c);
    if (!session) return notPending(c);
    const body = await c.req.parseBody();
    assertCsrf(c, body._csrf);
    const code = CodeInput.safeParse(body.code);
    const result = await confirmEnrolment(factorDeps, session, code.success ? code.data : '');
    if (!result.ok) {
      deps.logger.warn('second factor enrolment refused', { reason: result.reason });
      if (result.reason === 'rate-limited') return tooMany(c);
      const enrolment = await currentEnrolment(factorDeps, session);
      if (!enrolment) return c.redirect(SECOND_FACTOR_PATH, 303);
      return enrolPage(c, enrolment, MESSAGES['wrong-code'], 400);
    }
    startSessionCookie(c, https, result.next.sessionId, config.signIn.absoluteHours);
    deps.logger.info('second factor enrolled', { method: 'totp' });
    // Shown once, in the answer to this POST: never stored in clear, never on a GET.
    return page(
      c,
      <RecoveryCodesPage
        config={config}
        codes={result.recoveryCodes}
        next={landing(result.next.session.role)}
      />,
    );
  });

  async function enrolPage(
    c: Context<AppEnv>,
    enrolment: { secret: string; uri: string },
    error?: string,
    status: 200 | 400 = 200,
  ) {
    // Only this page draws a QR code: qrcode and pngjs load here, not in every cold start.
    const { default: QRCode } = await import('qrcode');
    const qrDataUrl = await QRCode.toDataURL(enrolment.uri, {
      errorCorrectionLevel: 'M',
      margin: 2,
      width: 240,
    });
    return page(
      c,
      <EnrolPage
        config={config}
        csrfToken={c.get('csrfToken')}
        qrDataUrl={qrDataUrl}
        secret={enrolment.secret}
        error={error}
      />,
      status,
    );
  }

  return app;
}

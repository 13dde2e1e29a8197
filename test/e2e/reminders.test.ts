import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addWorkingDays, amsterdamDate } from '#core/working-days.ts';
import { Client, csrfFrom, outboxMessages, signIn, startTestRuntime } from '../support/local.ts';

const run = promisify(execFile);
const OFFICER = 'aandachtsfunctionaris@montfoort.example';
const STAFF = 'mira.melder@montfoort.example';
const MOVIERA = 'zorgcoordinatie@moviera.example';

/**
 * As a new user would: `npm start` (the local runtime), a handover whose
 * due date has passed, then `npm run reminders` (the real CLI, pointed at
 * the running database) on the due date, again, and on later dates.
 */
describe('reminders end to end: the local runtime and npm run reminders', () => {
  let t: Awaited<ReturnType<typeof startTestRuntime>>;
  let officer: Client;
  let id = '';
  let reference = '';
  let due = '';

  const reminders = async (date: string, ...flags: string[]) => {
    const { stdout } = await run(
      'node_modules/.bin/tsx',
      ['functions/local/reminders-cli.ts', '--now', `${date}T09:00:00+01:00`, ...flags],
      {
        env: {
          ...process.env,
          DATA_DIR: t.dataDir,
          DYNAMODB_ENDPOINT: t.runtime.dynamo.endpoint,
          TABLE_NAME: t.runtime.dynamo.table,
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          AWS_REGION: 'eu-central-1',
        },
      },
    );
    return stdout;
  };
  const mailsTo = async (address: string) =>
    (await outboxMessages(t.runtime)).filter((m) => m.to.includes(address));

  beforeAll(async () => {
    t = await startTestRuntime();
    const staff = new Client(t.runtime.url);
    officer = new Client(t.runtime.url);
    await signIn(t.runtime, staff, STAFF);
    await signIn(t.runtime, officer, OFFICER);
    const { html } = await staff.page('/melden');
    const res = await staff.request('/melden', {
      method: 'POST',
      form: {
        _csrf: csrfFrom(html),
        submission_id: html.match(/name="submission_id"[^>]*value="([^"]+)"/)?.[1] ?? '',
        reporter_name: 'Mira Melder',
        reporter_phone: '0348 123456',
        reporter_team: 'Wmo',
        discussed_with_coordinator: 'ja',
        coordinator_name: 'Teun Coordinator',
        'persons[0][name]': 'Anna REMINDERPERSOON',
        'persons[0][role]': 'victim',
        'persons[0][age]': '19',
        'persons[0][address]': '',
        'persons[0][phone]': '',
        'persons[0][email]': '',
        'persons[0][notes]': '',
        location: 'Bedrijventerrein',
        observed: 'Zij woont op de werkplek REMINDERTEKST.',
        indicators: ['lives_at_work'],
        exploitation_form: 'labour',
      },
    });
    reference = (await res.text()).match(/MH-\d{4}-\d{4}/)?.[0] ?? '';
    const notice = (await mailsTo(OFFICER)).find((m) => m.subject.includes(reference));
    id = notice?.text.match(/\/inbox\/([a-z0-9]+)/)?.[1] ?? '';
    const detail = await officer.page(`/inbox/${id}`);
    const sent = await officer.request(`/inbox/${id}/doorzetten/versturen`, {
      method: 'POST',
      form: {
        _csrf: csrfFrom(detail.html),
        selected: 'zorgcoordinator',
        text_zorgcoordinator: 'Graag contact opnemen. REMINDERHANDOVER',
        overrideReason: 'Eerst de zorgcoördinator.',
      },
    });
    expect(sent.status).toBe(303);
    due = addWorkingDays(amsterdamDate(new Date()), 10);
  }, 120_000);
  afterAll(() => t?.close());

  it('prints what it would send on --dry-run, and writes nothing', async () => {
    const out = await reminders(due, '--dry-run');
    expect(out).toContain('dry run');
    expect(out).toContain(`${reference} h1 partner=zorgcoordinator: reminder 1`);
    expect(await mailsTo(MOVIERA)).toHaveLength(1); // only the notification
  });

  it('puts the reminder in the outbox on the due date, and a second run adds nothing', async () => {
    const out = await reminders(due);
    expect(out).toContain('sent 1 reminder(s)');
    expect(out).not.toMatch(/Anna|REMINDER|Mira|@/);
    const [, reminder] = await mailsTo(MOVIERA);
    expect(reminder?.subject).toBe(`Herinnering: graag uw terugkoppeling op signaal ${reference}`);
    expect(reminder?.text).not.toMatch(/REMINDER|Mira|Anna/);
    expect(await reminders(due)).toContain('sent 0 reminder(s)');
    expect(await mailsTo(MOVIERA)).toHaveLength(2);
  });

  it('escalates to the officer after the configured number of reminders, and the detail page says overdue', async () => {
    const second = addWorkingDays(due, 5);
    expect(await reminders(second)).toContain('reminder 2');
    expect(await reminders(addWorkingDays(second, 5))).toContain('escalation to the officer(s)');
    const escalation = (await mailsTo(OFFICER)).find((m) => m.subject.startsWith('Te laat'));
    expect(escalation?.text).toContain(`/inbox/${id}`);
    expect(escalation?.text).not.toMatch(/REMINDER|Anna|Mira/);
    const { html } = await officer.page(`/inbox/${id}`);
    expect(html).toContain('Te laat: geen terugkoppeling na 2 herinnering(en)');
  });

  it('lets the officer set a new due date, pause and resume, each in the history', async () => {
    const detail = await officer.page(`/inbox/${id}`);
    const next = addWorkingDays(amsterdamDate(new Date()), 3);
    const base = `/inbox/${id}/overdrachten/h1`;
    const posted = await officer.request(`${base}/nieuwe-datum`, {
      method: 'POST',
      form: { _csrf: csrfFrom(detail.html), dueDate: next },
    });
    expect(posted.status).toBe(303);
    const empty = await officer.request(`${base}/herinneringen-pauzeren`, {
      method: 'POST',
      form: { _csrf: csrfFrom(detail.html), reason: '' },
    });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('Schrijf waarom de herinneringen stoppen.');
    await officer.request(`${base}/herinneringen-pauzeren`, {
      method: 'POST',
      form: { _csrf: csrfFrom(detail.html), reason: 'Partner is met vakantie' },
    });
    expect(await reminders(next)).toContain('sent 0 reminder(s)');
    const paused = await officer.page(`/inbox/${id}`);
    expect(paused.html).toContain('Herinneringen gepauzeerd');
    expect(paused.html).toContain('Nieuwe datum voor terugkoppeling');
    await officer.request(`${base}/herinneringen-hervatten`, {
      method: 'POST',
      form: { _csrf: csrfFrom(paused.html) },
    });
    expect(await reminders(next)).toContain('sent 1 reminder(s)');
  });

  it('lets the officer turn the daily digest off and on from the inbox', async () => {
    const inbox = await officer.page('/inbox');
    expect(inbox.html).toContain('Dagelijks overzicht uitzetten');
    const off = await officer.request('/inbox/overzicht', {
      method: 'POST',
      form: { _csrf: csrfFrom(inbox.html), digest: 'uit' },
    });
    expect(off.status).toBe(303);
    expect((await officer.page('/inbox')).html).toContain('Dagelijks overzicht aanzetten');
    const day = addWorkingDays(amsterdamDate(new Date()), 1);
    expect(await reminders(day, '--digest')).toContain('sent to 0 officer(s)');
  });
});

import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { HmacLinkSigner } from '#adapters/crypto/hmac.ts';
import { DynamoOutboxStore } from '#adapters/dynamo/outbox-store.ts';
import { FileOutbox } from '#adapters/file-outbox.ts';
import { loadOrCreateKey } from '#adapters/local/key-file.ts';
import { systemClock } from '#adapters/system.ts';
import type { Clock } from '#core/ports.ts';
import { deliverOutbox } from '#core/use-cases/deliver-outbox.ts';
import type { DigestRun } from '#core/use-cases/reminders/digest.ts';
import type { ReminderRun } from '#core/use-cases/reminders/run-reminders.ts';
import { emailRenderer } from '#templates/render.ts';
import { openLocal } from './offline.ts';
import { localReminders } from './reminders.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * `npm run reminders [-- --dry-run] [--now <iso>] [--digest]`: one run of the
 * reminder job now (and the officers' digest with --digest), then the outbox
 * is sent (locally: written to DATA_DIR/outbox). Prints references, partner
 * ids and counts only. --dry-run prints what would be sent and writes nothing.
 */
async function main() {
  const { values } = parseArgs({
    options: {
      'dry-run': { type: 'boolean', default: false },
      digest: { type: 'boolean', default: false },
      now: { type: 'string' },
    },
  });
  let clock: Clock = systemClock;
  if (values.now !== undefined) {
    const at = new Date(values.now);
    if (Number.isNaN(at.getTime()))
      throw new Error('--now must be an ISO date-time, e.g. 2026-03-16T08:00:00+01:00');
    clock = { now: () => new Date(at) };
  }
  const dryRun = values['dry-run'];
  const local = await openLocal(clock);
  try {
    const linkSigner = new HmacLinkSigner(
      await loadOrCreateKey(join(local.dataDir, 'keys', 'partner-link.key')),
    );
    const jobs = localReminders({ ...local, render: emailRenderer, linkSigner });
    const out = (line: string) => process.stdout.write(`${line}\n`);
    out(report(await jobs.reminders({ dryRun })));
    if (values.digest) out(digestReport(await jobs.digest({ dryRun })));
    if (!dryRun) {
      const r = await deliverOutbox({
        outbox: new DynamoOutboxStore(local.doc, local.table),
        crypto: local.crypto,
        mailer: new FileOutbox({
          dir: join(local.dataDir, 'outbox'),
          from: local.config.mailFrom,
        }),
        clock,
        municipality: local.config.municipality.code,
      });
      out(`Outbox: sent ${r.sent} mail(s), ${r.failed} failed`);
    }
  } finally {
    await local.close();
  }
}

function report(r: ReminderRun): string {
  const verb = r.dryRun ? 'would send' : 'sent';
  if (!r.workingDay) return `Reminders ${r.today}: not a working day, nothing ${verb}`;
  const lines = [
    `Reminders ${r.today}${r.dryRun ? ' (dry run, nothing written)' : ''}: checked ${r.checked} signal(s) due, ${verb} ${count(r, 'reminder')} reminder(s) and ${count(r, 'escalation')} escalation(s)`,
  ];
  for (const a of r.actions) {
    const what = a.kind === 'reminder' ? `reminder ${a.n}` : 'escalation to the officer(s)';
    const link = a.newLink ? ', new link' : '';
    lines.push(
      `  ${a.reference} ${a.handoverId} partner=${a.partnerId}: ${what}, waiting ${a.waitingDays} working day(s)${link}`,
    );
  }
  for (const f of r.failed) lines.push(`  FAILED signal ${f.signalId}: ${f.error}`);
  return lines.join('\n');
}

function count(r: ReminderRun, kind: 'reminder' | 'escalation') {
  return r.actions.filter((a) => a.kind === kind).length;
}

function digestReport(d: DigestRun): string {
  if (!d.workingDay) return `Digest ${d.today}: not a working day, nothing sent`;
  const f = d.figures;
  const figures = f
    ? `new ${f.newSignals.length}, waiting ${f.waiting.length}, overdue ${f.overdue.length}, open long ${f.openLong.length}`
    : '';
  if (d.dryRun)
    return `Digest ${d.today} (dry run): would go to ${d.recipients} officer(s); ${figures}`;
  if (!d.recorded && d.recipients > 0)
    return `Digest ${d.today}: already sent today, nothing sent; ${figures}`;
  return `Digest ${d.today}: sent to ${d.recorded ? d.recipients : 0} officer(s); ${figures}`;
}

main().catch((err: Error) => {
  process.stderr.write(`reminders failed: ${err.message}\n`);
  process.exit(1);
});

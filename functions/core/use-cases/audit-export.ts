import type { InboxPage, RetentionStore, SignalStore } from '../ports.ts';

/**
 * Accountability to a data protection officer: who viewed or changed what,
 * and when (rule 4). For one signal: its history events, its access log
 * (AUDIT# items) and, when erased, the erasure. For a period: the same for
 * every signal, live or erased, limited to what happened in the period.
 * Rows name actors (staff addresses) and action codes, never content.
 */

export type AuditRow = {
  signal: string;
  at: string;
  actor: string;
  action: string;
  detail: string;
};
export type AuditDeps = { store: SignalStore; retention: RetentionStore };

const HEADER = ['signal', 'at', 'actor', 'action', 'detail'] as const;

export async function auditOfSignal(deps: AuditDeps, id: string): Promise<AuditRow[] | undefined> {
  const [signal, remnant, log] = await Promise.all([
    deps.store.get(id),
    deps.retention.getRemnant(id),
    deps.store.listAudit(id),
  ]);
  if (!signal && !remnant) return undefined;
  const label = signal?.reference ?? id;
  const rows: AuditRow[] = [
    ...(signal?.events ?? []).map((e) => row(label, e.at, e.actor, e.type, e.detail)),
    ...log.map((e) => row(label, e.at, e.actor, e.type, e.detail)),
  ];
  if (remnant) rows.push(row(label, remnant.erasedAt, remnant.erasedBy, 'erased', remnant.reason));
  return rows.sort((a, b) => a.at.localeCompare(b.at));
}

/** Every action between two instants [fromIso, toIso), on any signal received before `toIso`. */
export async function auditOfPeriod(
  deps: AuditDeps,
  fromIso: string,
  toIso: string,
): Promise<AuditRow[]> {
  const ids = new Set<string>(await deps.retention.listRemnantIds());
  let cursor: string | undefined;
  do {
    const page: InboxPage = await deps.store.list({ limit: 100, ...(cursor ? { cursor } : {}) });
    for (const s of page.items) if (s.receivedAt < toIso) ids.add(s.id);
    cursor = page.cursor;
  } while (cursor);
  const rows: AuditRow[] = [];
  for (const id of ids) {
    for (const r of (await auditOfSignal(deps, id)) ?? []) {
      if (r.at >= fromIso && r.at < toIso) rows.push(r);
    }
  }
  return rows.sort((a, b) => a.at.localeCompare(b.at) || a.signal.localeCompare(b.signal));
}

function row(signal: string, at: string, actor: string, action: string, detail?: string): AuditRow {
  return { signal, at, actor, action, detail: detail ?? '' };
}

export function auditCsv(rows: readonly AuditRow[]): string {
  const field = (v: string) => {
    const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = [HEADER.join(','), ...rows.map((r) => HEADER.map((k) => field(r[k])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

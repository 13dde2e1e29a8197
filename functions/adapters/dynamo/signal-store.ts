import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  factsFromSummary,
  factsOf,
  type MonitoringFacts,
  MonitoringFactsSchema,
} from '#core/monitoring/facts.ts';
import type { InboxPage, InboxQuery, SealedMail, SignalStore, ViewEvent } from '#core/ports.ts';
import type { SignalRecord, SignalSummary } from '#core/signal.ts';
import { earliestOpenDue } from '#core/workflow/moves.ts';
import { INDEXES } from './table.ts';

const signalKey = (id: string) => ({ pk: `SIG#${id}`, sk: 'A' });

/** The officer's route fields: they exist only once a signal has been worked. */
const WORKED_FIELDS = [
  'tags',
  'notes',
  'agenda',
  'handovers',
  'disclosures',
  'reporterFeedback',
  'outcome',
  'closedAt',
] as const;

/** Attributes of the aggregate that a version-checked update rewrites. */
const AGGREGATE_FIELDS = [
  'reference',
  'status',
  'channel',
  'classification',
  'receivedAt',
  'updatedAt',
  'version',
  'reporterCipher',
  'contentCipher',
  'events',
  'senderUnverified',
  ...WORKED_FIELDS,
] as const;

function indexAttributes(s: SignalRecord) {
  const receivedKey = `${s.receivedAt}#${s.id}`;
  const due = earliestOpenDue(s);
  return {
    inboxPk: 'INBOX',
    statusPk: `STATUS#${s.status}`,
    receivedKey,
    // Derived on every write, so monitoring reads the index, never the aggregate.
    facts: factsOf(s),
    // Sparse indexes: the attributes exist only while there is something to find.
    duePk: due ? 'DUE' : undefined,
    dueKey: due ? `${due}#${s.id}` : undefined,
    agendaPk: s.agenda ? 'AGENDA' : undefined,
    agendaKey: s.agenda ? `${s.agenda.at}#${s.id}` : undefined,
  };
}

export function mailsAttribute(mails: SealedMail[], at: string) {
  return Object.fromEntries(mails.map((m) => [m.mailId, { c: m.cipher, s: 'p', at }]));
}

export function outboxKeys(kind: string, id: string, at: string) {
  return { outboxPk: 'PENDING', outboxKey: `${at}#${kind}#${id}` };
}

function toRecord(item: Record<string, unknown>): SignalRecord {
  return {
    id: item.id as string,
    reference: item.reference as string,
    status: item.status as SignalRecord['status'],
    channel: item.channel as SignalRecord['channel'],
    classification: item.classification as SignalRecord['classification'],
    receivedAt: item.receivedAt as string,
    updatedAt: item.updatedAt as string,
    version: item.version as number,
    reporterCipher: item.reporterCipher as Uint8Array,
    contentCipher: item.contentCipher as Uint8Array,
    events: (item.events as SignalRecord['events']) ?? [],
    ...(item.senderUnverified ? { senderUnverified: true } : {}),
    ...optional(item, WORKED_FIELDS),
  };
}

/** The officer's route fields exist only once a signal has been worked. */
function optional<K extends keyof SignalRecord>(item: Record<string, unknown>, keys: readonly K[]) {
  const out: Partial<Pick<SignalRecord, K>> = {};
  for (const k of keys) if (item[k] !== undefined) out[k] = item[k] as SignalRecord[K];
  return out;
}

function toSummary(item: Record<string, unknown>): SignalSummary {
  return {
    id: item.id as string,
    reference: item.reference as string,
    status: item.status as SignalSummary['status'],
    channel: item.channel as SignalSummary['channel'],
    classification: item.classification as SignalSummary['classification'],
    receivedAt: item.receivedAt as string,
    ...(item.senderUnverified ? { senderUnverified: true } : {}),
  };
}

/** Signals as single items: each change is one conditional write (no transactions needed). */
export class DynamoSignalStore implements SignalStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async nextSequence(year: number): Promise<number> {
    const r = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `SEQ#${year}`, sk: 'A' },
        UpdateExpression: 'ADD n :one',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return r.Attributes?.n as number;
  }

  async create(
    signal: SignalRecord,
    mails: SealedMail[],
  ): Promise<{ created: true } | { created: false; existing: SignalRecord }> {
    const at = signal.updatedAt;
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...signalKey(signal.id),
            kind: 'signal',
            id: signal.id,
            ...Object.fromEntries(AGGREGATE_FIELDS.map((f) => [f, signal[f]])),
            ...indexAttributes(signal),
            mails: mailsAttribute(mails, at),
            pendingMails: mails.length,
            ...(mails.length ? outboxKeys('signal', signal.id, at) : {}),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true };
    } catch (err) {
      if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
      const existing = await this.get(signal.id);
      if (!existing) throw err;
      return { created: false, existing };
    }
  }

  async get(id: string): Promise<SignalRecord | undefined> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: signalKey(id), ConsistentRead: true }),
    );
    return r.Item && r.Item.kind === 'signal' ? toRecord(r.Item) : undefined;
  }

  async update(signal: SignalRecord, expectedVersion: number, mails: SealedMail[] = []) {
    const names: Record<string, string> = { '#v': 'version' };
    const values: Record<string, unknown> = { ':expected': expectedVersion };
    const sets: string[] = [];
    const removes: string[] = [];
    const fields = {
      ...Object.fromEntries(AGGREGATE_FIELDS.map((f) => [f, signal[f]])),
      ...indexAttributes(signal),
    };
    for (const [i, [k, v]] of Object.entries(fields).entries()) {
      names[`#f${i}`] = k;
      // The record is the whole aggregate: a field it no longer has is removed
      // (an agenda entry taken off, the last open handover answered).
      if (v === undefined) {
        removes.push(`#f${i}`);
        continue;
      }
      values[`:f${i}`] = v;
      sets.push(`#f${i} = :f${i}`);
    }
    if (mails.length) {
      names['#mails'] = 'mails';
      for (const [i, m] of mails.entries()) {
        names[`#m${i}`] = m.mailId;
        values[`:m${i}`] = { c: m.cipher, s: 'p', at: signal.updatedAt };
        sets.push(`#mails.#m${i} = :m${i}`);
      }
      const keys = outboxKeys('signal', signal.id, signal.updatedAt);
      values[':opk'] = keys.outboxPk;
      values[':okey'] = keys.outboxKey;
      values[':n'] = mails.length;
      sets.push('outboxPk = :opk', 'outboxKey = if_not_exists(outboxKey, :okey)');
    }
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: signalKey(signal.id),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}${mails.length ? ' ADD pendingMails :n' : ''}`,
          ConditionExpression: '#v = :expected',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }

  async list(query: InboxQuery): Promise<InboxPage> {
    const ix = query.status ? INDEXES.byStatus : INDEXES.byReceived;
    const r = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: ix.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': ix.pk },
        ExpressionAttributeValues: { ':pk': query.status ? `STATUS#${query.status}` : 'INBOX' },
        ScanIndexForward: false,
        Limit: query.limit,
        ...(query.cursor ? { ExclusiveStartKey: decodeCursor(query.cursor) } : {}),
      }),
    );
    return {
      items: (r.Items ?? []).map(toSummary),
      ...(r.LastEvaluatedKey ? { cursor: encodeCursor(r.LastEvaluatedKey) } : {}),
    };
  }

  async appendAudit(signalId: string, event: ViewEvent): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: `SIG#${signalId}`,
          sk: `AUDIT#${event.at}#${Math.random().toString(36).slice(2, 10)}`,
          kind: 'audit',
          ...event,
        },
      }),
    );
  }

  async listAudit(signalId: string): Promise<ViewEvent[]> {
    const out: ViewEvent[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': `SIG#${signalId}`, ':p': 'AUDIT#' },
          ExclusiveStartKey: start,
        }),
      );
      for (const i of r.Items ?? []) {
        out.push({
          at: i.at,
          actor: i.actor,
          type: i.type,
          ...(i.detail ? { detail: i.detail } : {}),
        });
      }
      start = r.LastEvaluatedKey;
    } while (start);
    return out;
  }
  async listForPeriod(fromIso: string, toIso: string): Promise<MonitoringFacts[]> {
    // Live signals sit in the INBOX partition, erased ones in ERASED (retention-store.ts).
    const parts = await Promise.all(
      ['INBOX', 'ERASED'].map((pk) => queryFacts(this.doc, this.table, pk, fromIso, toIso)),
    );
    return parts.flat();
  }
}

/** Cursors are opaque to users but only ever index keys (no content). */
function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (v && typeof v === 'object' && Object.values(v).every((x) => typeof x === 'string'))
      return v;
  } catch {
    // fall through: an invalid cursor starts from the top
  }
  return undefined;
}

/** One partition of the received-date index between two instants (`<iso>#<id>` keys sort by time). */
async function queryFacts(
  doc: DynamoDBDocumentClient,
  table: string,
  pk: string,
  fromIso: string,
  toIso: string,
): Promise<MonitoringFacts[]> {
  const ix = INDEXES.byReceived;
  const out: MonitoringFacts[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const r = await doc.send(
      new QueryCommand({
        TableName: table,
        IndexName: ix.name,
        // BETWEEN is inclusive, but a key at exactly `toIso` reads `toIso#id` > `toIso`: half-open.
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': ix.pk, '#sk': ix.sk },
        ExpressionAttributeValues: { ':pk': pk, ':from': fromIso, ':to': toIso },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of r.Items ?? []) {
      const parsed = MonitoringFactsSchema.safeParse(item.facts);
      // Items written before facts existed: the summary fields still give most figures.
      out.push(parsed.success ? parsed.data : factsFromSummary(toSummary(item)));
    }
    start = r.LastEvaluatedKey;
  } while (start);
  return out;
}

import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { InboxPage, InboxQuery, SealedMail, SignalStore, ViewEvent } from '#core/ports.ts';
import type { SignalRecord, SignalSummary } from '#core/signal.ts';
import { INDEXES } from './table.ts';

const signalKey = (id: string) => ({ pk: `SIG#${id}`, sk: 'A' });

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
] as const;

function indexAttributes(s: SignalRecord) {
  const receivedKey = `${s.receivedAt}#${s.id}`;
  return { inboxPk: 'INBOX', statusPk: `STATUS#${s.status}`, receivedKey };
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
  };
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
    const fields = {
      ...Object.fromEntries(AGGREGATE_FIELDS.map((f) => [f, signal[f]])),
      ...indexAttributes(signal),
    };
    for (const [i, [k, v]] of Object.entries(fields).entries()) {
      if (v === undefined) continue;
      names[`#f${i}`] = k;
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
          UpdateExpression: `SET ${sets.join(', ')}${mails.length ? ' ADD pendingMails :n' : ''}`,
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

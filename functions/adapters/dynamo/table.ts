/**
 * The one table's keys and indexes. The local emulator (dynalite) creates the
 * table from this definition and the CDK stack deploys the same: one source of
 * truth for keys and indexes.
 */

export const KEY = { pk: 'pk', sk: 'sk' } as const;

/** Attributes projected into the list indexes: what the inbox shows, no ciphertext. */
export const SUMMARY_ATTRIBUTES = [
  'id',
  'reference',
  'status',
  'channel',
  'classification',
  'receivedAt',
  'senderUnverified',
  /**
   * Monitoring facts (core/monitoring/facts.ts): categorical, no ciphertext.
   * Changing a projection needs the GSI (locally: the table) recreated; see docs/adr/0020.
   */
  'facts',
] as const;

export type IndexDefinition = {
  name: string;
  pk: string;
  sk: string;
  projection: 'ALL' | 'KEYS_ONLY' | readonly string[];
};

export const INDEXES = {
  /** Every signal, newest first: the inbox without a filter. */
  byReceived: {
    name: 'byReceived',
    pk: 'inboxPk',
    sk: 'receivedKey',
    projection: SUMMARY_ATTRIBUTES,
  },
  /** Signals per status, newest first: the inbox filter. */
  byStatus: { name: 'byStatus', pk: 'statusPk', sk: 'receivedKey', projection: SUMMARY_ATTRIBUTES },
  /** Sparse: only items with mail still to send. */
  outbox: { name: 'outbox', pk: 'outboxPk', sk: 'outboxKey', projection: ['mails', 'kind', 'id'] },
  /**
   * Sparse: signals with an open handover, keyed `<earliest due date>#<id>`,
   * so the reminder job reads only what is due.
   */
  due: { name: 'due', pk: 'duePk', sk: 'dueKey', projection: ['id', 'reference'] },
  /** Sparse: signals on the next ondermijningsoverleg's agenda. */
  agenda: {
    name: 'agenda',
    pk: 'agendaPk',
    sk: 'agendaKey',
    projection: ['id', 'reference', 'agenda'],
  },
} as const satisfies Record<string, IndexDefinition>;

/** Attribute holding an epoch-seconds expiry; DynamoDB TTL on AWS, our own sweep locally. */
export const TTL_ATTRIBUTE = 'expiresAtEpoch';

export function createTableInput(tableName: string) {
  const attributeNames = new Set<string>([KEY.pk, KEY.sk]);
  for (const ix of Object.values(INDEXES)) {
    attributeNames.add(ix.pk);
    attributeNames.add(ix.sk);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...attributeNames].map((AttributeName) => ({
      AttributeName,
      AttributeType: 'S' as const,
    })),
    KeySchema: [
      { AttributeName: KEY.pk, KeyType: 'HASH' as const },
      { AttributeName: KEY.sk, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: Object.values(INDEXES).map((ix: IndexDefinition) => ({
      IndexName: ix.name,
      KeySchema: [
        { AttributeName: ix.pk, KeyType: 'HASH' as const },
        { AttributeName: ix.sk, KeyType: 'RANGE' as const },
      ],
      Projection:
        typeof ix.projection === 'string'
          ? { ProjectionType: ix.projection }
          : { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...ix.projection] },
    })),
  };
}

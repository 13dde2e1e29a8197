import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type Projection,
  type TableDescription,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTableInput } from './table.ts';

export function documentClient(options: { endpoint?: string; region?: string } = {}) {
  const client = new DynamoDBClient({
    region: options.region ?? process.env.AWS_REGION ?? 'eu-central-1',
    ...(options.endpoint
      ? {
          endpoint: options.endpoint,
          // dynalite and DynamoDB Local accept any credentials.
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {}),
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/**
 * Creates the table and its indexes when missing (local runs and tests only).
 * A table made by an older version gets the indexes added since, so a
 * newcomer's `var/` keeps working after an upgrade. An index whose projection
 * changed cannot be rebuilt in place on dynalite: that is returned as a note
 * for the operator. (On AWS the CDK stack owns the table.)
 */
export async function ensureTable(
  doc: DynamoDBDocumentClient,
  tableName: string,
): Promise<string[]> {
  let existing: TableDescription | undefined;
  try {
    existing = (await doc.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (err) {
    if ((err as Error).name !== 'ResourceNotFoundException') throw err;
  }
  if (existing) return upgradeIndexes(doc, tableName, existing);
  try {
    await doc.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (err) {
    if ((err as Error).name !== 'ResourceInUseException') throw err;
  }
  await waitActive(doc, tableName);
  return [];
}

async function upgradeIndexes(
  doc: DynamoDBDocumentClient,
  tableName: string,
  table: TableDescription,
): Promise<string[]> {
  const notes: string[] = [];
  const wanted = createTableInput(tableName);
  const have = new Map((table.GlobalSecondaryIndexes ?? []).map((g) => [g.IndexName, g]));
  for (const ix of wanted.GlobalSecondaryIndexes) {
    const current = have.get(ix.IndexName);
    if (current) {
      if (!sameProjection(current.Projection, ix.Projection)) {
        notes.push(
          `index ${ix.IndexName} of table ${tableName} has an older projection; recreate the local table (move DATA_DIR/dynamodb aside) to use the new one`,
        );
      }
      continue;
    }
    const names = new Set(ix.KeySchema.map((k) => k.AttributeName));
    const create = (withThroughput: boolean) =>
      doc.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: wanted.AttributeDefinitions.filter((a) =>
            names.has(a.AttributeName),
          ),
          GlobalSecondaryIndexUpdates: [
            {
              Create: withThroughput
                ? { ...ix, ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }
                : ix,
            },
          ],
        }),
      );
    // dynalite validates an index creation (asking for a throughput) but does
    // not perform it; DynamoDB Local and AWS do. Say so when it did not happen.
    await create(false).catch((err: Error) => {
      if (!/provisionedThroughput/i.test(err.message)) throw err;
      return create(true);
    });
    if (!(await waitActive(doc, tableName, ix.IndexName, 40))) {
      notes.push(
        `index ${ix.IndexName} is missing from table ${tableName} and this database cannot add it; recreate the local table (move DATA_DIR/dynamodb aside) to use every feature`,
      );
    }
  }
  return notes;
}

function sameProjection(a: Projection | undefined, b: Projection): boolean {
  const sorted = (p: Projection | undefined) => [...(p?.NonKeyAttributes ?? [])].sort().join(',');
  return a?.ProjectionType === b.ProjectionType && sorted(a) === sorted(b);
}

async function waitActive(
  doc: DynamoDBDocumentClient,
  tableName: string,
  index?: string,
  tries = 600,
): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    const t = (await doc.send(new DescribeTableCommand({ TableName: tableName }))).Table;
    const ix = index ? t?.GlobalSecondaryIndexes?.find((g) => g.IndexName === index) : undefined;
    const ready = index ? ix?.IndexStatus === 'ACTIVE' : t?.TableStatus === 'ACTIVE';
    if (ready && t?.TableStatus === 'ACTIVE') return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (index) return false;
  throw new Error(`table ${tableName} did not become active`);
}

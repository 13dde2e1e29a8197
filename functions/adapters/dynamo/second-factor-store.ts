import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { SecondFactor, SecondFactorStore } from '#core/ports.ts';

const key = (emailHash: string) => ({ pk: `FACTOR#${emailHash}`, sk: 'A' });

const conditionFailed = (err: unknown) => (err as Error).name === 'ConditionalCheckFailedException';

/**
 * Officers' second factors, one item each, keyed by a hash of the address.
 * Every change is a conditional write: two tabs (or an attacker racing the
 * officer) can never both use the same time step or recovery code.
 */
export class DynamoSecondFactorStore implements SecondFactorStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(emailHash: string): Promise<SecondFactor | undefined> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: key(emailHash), ConsistentRead: true }),
    );
    const i = r.Item;
    if (!i) return undefined;
    return {
      emailHash: i.emailHash as string,
      kind: 'totp',
      state: i.state === 'active' ? 'active' : 'enrolling',
      secretCipher: i.secretCipher as Uint8Array,
      lastStep: (i.lastStep as number | undefined) ?? 0,
      recoveryHashes: Object.keys((i.recovery as Record<string, unknown> | undefined) ?? {}),
      createdAt: i.createdAt as string,
      ...(typeof i.confirmedAt === 'string' ? { confirmedAt: i.confirmedAt } : {}),
    };
  }

  async putEnrolment(factor: SecondFactor): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...key(factor.emailHash),
            kind: 'second-factor',
            emailHash: factor.emailHash,
            factorKind: factor.kind,
            state: 'enrolling',
            secretCipher: factor.secretCipher,
            lastStep: factor.lastStep,
            createdAt: factor.createdAt,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #state = :enrolling',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':enrolling': 'enrolling' },
        }),
      );
      return true;
    } catch (err) {
      if (conditionFailed(err)) return false;
      throw err;
    }
  }

  async activate(
    emailHash: string,
    secretCipher: Uint8Array,
    step: number,
    recoveryHashes: string[],
    at: string,
  ): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: key(emailHash),
        UpdateExpression:
          'SET #state = :active, lastStep = :step, recovery = :recovery, confirmedAt = :at',
        ConditionExpression: '#state = :enrolling AND secretCipher = :cipher',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':active': 'active',
          ':enrolling': 'enrolling',
          ':step': step,
          ':recovery': Object.fromEntries(recoveryHashes.map((h) => [h, true])),
          ':at': at,
          ':cipher': secretCipher,
        },
      }),
    );
  }

  async useStep(emailHash: string, step: number): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: key(emailHash),
        UpdateExpression: 'SET lastStep = :step',
        ConditionExpression: '#state = :active AND lastStep < :step',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':active': 'active', ':step': step },
      }),
    );
  }

  async useRecoveryCode(emailHash: string, codeHash: string): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: key(emailHash),
        UpdateExpression: 'REMOVE recovery.#code',
        ConditionExpression: '#state = :active AND attribute_exists(recovery.#code)',
        ExpressionAttributeNames: { '#state': 'state', '#code': codeHash },
        ExpressionAttributeValues: { ':active': 'active' },
      }),
    );
  }

  async delete(emailHash: string): Promise<boolean> {
    const r = await this.doc.send(
      new DeleteCommand({ TableName: this.table, Key: key(emailHash), ReturnValues: 'ALL_OLD' }),
    );
    return r.Attributes !== undefined;
  }

  private async conditional(command: UpdateCommand): Promise<boolean> {
    try {
      await this.doc.send(command);
      return true;
    } catch (err) {
      if (conditionFailed(err)) return false;
      throw err;
    }
  }
}

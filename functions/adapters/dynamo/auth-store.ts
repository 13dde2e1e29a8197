import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AuthStore, LoginToken, SealedMail, Session, SsoFlow } from '#core/ports.ts';
import { mailsAttribute, outboxKeys } from './signal-store.ts';
import { TTL_ATTRIBUTE } from './table.ts';

const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** Sign-in tokens, sessions and rate-limit counters; only hashes of secrets are keys. */
export class DynamoAuthStore implements AuthStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async putLoginToken(token: LoginToken, mail: SealedMail): Promise<void> {
    const at = new Date().toISOString();
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: `LOGIN#${token.tokenHash}`,
          sk: 'A',
          kind: 'login',
          id: token.tokenHash,
          ...token,
          [TTL_ATTRIBUTE]: epoch(token.expiresAt) + 3600,
          mails: mailsAttribute([mail], at),
          pendingMails: 1,
          ...outboxKeys('login', token.tokenHash, at),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async peekLoginToken(tokenHash: string): Promise<LoginToken | undefined> {
    const r = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: `LOGIN#${tokenHash}`, sk: 'A' },
        ConsistentRead: true,
      }),
    );
    if (!r.Item || r.Item.usedAt) return undefined;
    return pickToken(r.Item);
  }

  async consumeLoginToken(tokenHash: string): Promise<LoginToken | undefined> {
    try {
      // Mark used rather than delete, so the pending sign-in mail (if any) is not lost.
      const r = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `LOGIN#${tokenHash}`, sk: 'A' },
          UpdateExpression: 'SET usedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt)',
          ExpressionAttributeValues: { ':now': new Date().toISOString() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return r.Attributes ? pickToken(r.Attributes) : undefined;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return undefined;
      throw err;
    }
  }

  async putSession(session: Session): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: `SESSION#${session.idHash}`,
          sk: 'A',
          kind: 'session',
          ...session,
          [TTL_ATTRIBUTE]: epoch(session.createdAt) + 24 * 3600,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getSession(idHash: string): Promise<Session | undefined> {
    const r = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: `SESSION#${idHash}`, sk: 'A' },
        ConsistentRead: true,
      }),
    );
    if (!r.Item) return undefined;
    const i = r.Item;
    return {
      idHash: i.idHash,
      email: i.email,
      role: i.role,
      csrfSecret: i.csrfSecret,
      createdAt: i.createdAt,
      lastSeenAt: i.lastSeenAt,
      ...(i.method ? { method: i.method } : {}),
      ...(i.pendingFactor === true ? { pendingFactor: true } : {}),
    };
  }

  async touchSession(idHash: string, lastSeenAt: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `SESSION#${idHash}`, sk: 'A' },
          UpdateExpression: 'SET lastSeenAt = :t',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':t': lastSeenAt },
        }),
      );
    } catch (err) {
      // A session ended (signed out) meanwhile must not be brought back.
      if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
    }
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.doc.send(
      new DeleteCommand({ TableName: this.table, Key: { pk: `SESSION#${idHash}`, sk: 'A' } }),
    );
  }

  async hit(key: string, windowStart: string, expiresAt: string): Promise<number> {
    const r = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `RATE#${key}#${windowStart}`, sk: 'A' },
        UpdateExpression: 'ADD n :one SET #ttl = :ttl, kind = :kind',
        ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':one': 1, ':ttl': epoch(expiresAt), ':kind': 'rate' },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return r.Attributes?.n as number;
  }

  async putSsoFlow(flow: SsoFlow): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: `SSOFLOW#${flow.idHash}`,
          sk: 'A',
          kind: 'sso-flow',
          ...flow,
          [TTL_ATTRIBUTE]: epoch(flow.expiresAt) + 3600,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async consumeSsoFlow(idHash: string): Promise<SsoFlow | undefined> {
    try {
      const r = await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: `SSOFLOW#${idHash}`, sk: 'A' },
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_OLD',
        }),
      );
      const i = r.Attributes;
      if (!i) return undefined;
      return {
        idHash: i.idHash as string,
        state: i.state as string,
        nonce: i.nonce as string,
        codeVerifier: i.codeVerifier as string,
        expiresAt: i.expiresAt as string,
        ...(typeof i.returnTo === 'string' ? { returnTo: i.returnTo } : {}),
      };
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return undefined;
      throw err;
    }
  }
}

function pickToken(i: Record<string, unknown>): LoginToken {
  return {
    tokenHash: i.tokenHash as string,
    email: i.email as string,
    role: i.role as LoginToken['role'],
    expiresAt: i.expiresAt as string,
  };
}

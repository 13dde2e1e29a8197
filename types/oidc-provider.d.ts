/** The small part of oidc-provider (no bundled types) that the test identity provider uses. */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  type Ctx = {
    path: string;
    method: string;
    body: unknown;
    status: number;
    type: string;
    response: { get(name: string): string; remove(name: string): void };
    oidc: {
      client?: { clientId: string };
      session?: { accountId?: string; grantIdFor(clientId: string): string | undefined };
      params?: Record<string, unknown>;
      result?: { consent?: { grantId?: string } };
      provider: Provider;
    };
  };
  type Account = { accountId: string; claims(): Promise<Record<string, unknown>> };
  type Grant = {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  };

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    use(middleware: (ctx: Ctx, next: () => Promise<void>) => Promise<void>): void;
    Grant: {
      new (init: { clientId: string; accountId: string | undefined }): Grant;
      find(id: string): Promise<Grant | undefined>;
    };
    proxy: boolean;
  }
  export type { Account, Ctx };
}

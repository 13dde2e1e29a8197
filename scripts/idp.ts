import { generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Ctx } from 'oidc-provider';

/**
 * A test identity provider: a real OpenID Connect provider (oidc-provider)
 * with a staff member and an officer, for trying single sign-on locally
 * (`npm run idp`, see docs/sign-in.md) and for the end-to-end tests.
 * Never for production: any password is accepted.
 */

export type IdpUser = { login: string; email: string; name: string; groups?: string[] };

export const DEFAULT_USERS: IdpUser[] = [
  { login: 'medewerker', email: 'medewerker@montfoort.example', name: 'Mia Medewerker' },
  {
    login: 'af',
    email: 'aandachtsfunctionaris@montfoort.example',
    name: 'Anne Aandacht',
    groups: ['meldroute-aandachtsfunctionaris'],
  },
];

export type IdpOptions = {
  host?: string;
  port?: number;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  users?: IdpUser[];
};

/** Rewrites the claims of the next ID tokens (tests of what Meldroute must refuse). */
export type Tamper = {
  claims?: (claims: Record<string, unknown>) => Record<string, unknown>;
  /** Sign with another key than the published one. */
  foreignKey?: boolean;
};

export type TestIdp = {
  issuer: string;
  users: IdpUser[];
  tamper(t: Tamper | undefined): void;
  /**
   * Keeps the next redirect back to the app from reaching the browser and
   * resolves with its URL (tests that replay or alter the provider's answer).
   */
  holdNextRedirect(): Promise<URL>;
  close(): Promise<void>;
};

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function resign(jwt: string, tamper: Tamper, key: KeyObject, foreign: KeyObject): string {
  const [h, p] = jwt.split('.');
  const header = JSON.parse(Buffer.from(h ?? '', 'base64url').toString('utf8'));
  const claims = JSON.parse(Buffer.from(p ?? '', 'base64url').toString('utf8'));
  const next = tamper.claims ? tamper.claims(claims) : claims;
  const input = `${b64url(header)}.${b64url(next)}`;
  const signature = sign('sha256', Buffer.from(input), tamper.foreignKey ? foreign : key);
  return `${input}.${signature.toString('base64url')}`;
}

export async function startIdp(options: IdpOptions): Promise<TestIdp> {
  const users = options.users ?? DEFAULT_USERS;
  const host = options.host ?? '127.0.0.1';
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const jwk = {
    ...privateKey.export({ format: 'jwk' }),
    kid: 'meldroute-test-idp',
    alg: 'RS256',
    use: 'sig',
  };

  // Listen first: the issuer URL needs the port.
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handler) handler(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${host}:${port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'groups'],
    },
    // Scope claims in the ID token, as Entra ID and Keycloak do.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx: Ctx, id: string) {
      const user = users.find((u) => u.login === id || u.email === id);
      // Any other login that looks like an address signs in with that address.
      const email = user?.email ?? (id.includes('@') ? id.toLowerCase() : undefined);
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            ...(email ? { email, email_verified: true } : {}),
            ...(user ? { name: user.name } : {}),
            ...(user?.groups ? { groups: user.groups } : {}),
          };
        },
      };
    },
    // No consent screen: a municipality's provider has the app pre-approved.
    async loadExistingGrant(ctx: Ctx) {
      const oidc = ctx.oidc;
      const clientId = oidc.client?.clientId ?? '';
      const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(clientId);
      if (grantId) return oidc.provider.Grant.find(grantId);
      const grant = new oidc.provider.Grant({ clientId, accountId: oidc.session?.accountId });
      grant.addOIDCScope(String(oidc.params?.scope ?? 'openid'));
      await grant.save();
      return grant;
    },
  });

  let tamper: Tamper | undefined;
  let hold: ((url: URL) => void) | undefined;
  provider.use(async (ctx, next) => {
    await next();
    const location = ctx.status >= 300 && ctx.status < 400 ? ctx.response.get('Location') : '';
    if (hold && location && options.redirectUris.some((u) => location.startsWith(`${u}?`))) {
      hold(new URL(location));
      hold = undefined;
      ctx.response.remove('Location');
      ctx.status = 200;
      ctx.type = 'text/plain';
      ctx.body = 'held by the test';
    }
    const body = ctx.body as { id_token?: unknown } | undefined;
    if (tamper && ctx.path === '/token' && body && typeof body.id_token === 'string') {
      ctx.body = { ...body, id_token: resign(body.id_token, tamper, privateKey, foreign) };
    }
  });
  handler = provider.callback();

  return {
    issuer,
    users,
    tamper: (t) => {
      tamper = t;
    },
    holdNextRedirect: () =>
      new Promise<URL>((resolve) => {
        hold = resolve;
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `npm run idp`: the test provider on 127.0.0.1:4000 for `npm start` (docs/sign-in.md). */
async function main() {
  const port = Number(process.env.IDP_PORT ?? 4000);
  const app = process.env.MELDROUTE_URL ?? 'http://localhost:3000';
  const idp = await startIdp({
    port,
    clientId: 'meldroute',
    clientSecret: process.env.MELDROUTE_SSO_SECRET ?? 'meldroute-local-secret',
    redirectUris: [`${app}/login/sso/callback`],
  });
  process.stdout.write(
    [
      '',
      `Test identity provider (NOT for production) at ${idp.issuer}`,
      `  client id "meldroute", redirect URI ${app}/login/sso/callback`,
      '  Sign in with any password as:',
      ...idp.users.map(
        (u) =>
          `    ${u.login.padEnd(12)} ${u.email}${u.groups ? ` (groups: ${u.groups.join(', ')})` : ''}`,
      ),
      '    or any address, e.g. iemand@montfoort.example',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  const stop = () => void idp.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: Error) => {
    process.stderr.write(`The test identity provider could not start: ${err.message}\n`);
    process.exit(1);
  });
}

import { readFile } from 'node:fs/promises';
import * as client from 'openid-client';
import type { SsoConfig } from '#core/config.ts';
import type { IdentityProvider, SsoFailure, SsoResult, SsoStart } from '#core/ports.ts';

export type OpenIdClientOptions = {
  issuer: string;
  clientId: string;
  clientSecret?: string | undefined;
  redirectUri: string;
  scopes: readonly string[];
};

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The IdentityProvider port on openid-client: discovery once (retried after a
 * failure, never at start-up, so a provider outage does not stop Meldroute),
 * authorization code flow with PKCE (S256), state and nonce, and the ID token
 * checked by openid-client (signature against the provider's JWKS, issuer,
 * audience, expiry, nonce). Plain HTTP only for a provider on this machine.
 */
export class OpenIdClientProvider implements IdentityProvider {
  private configuration: Promise<client.Configuration> | undefined;

  constructor(private readonly options: OpenIdClientOptions) {}

  private discover(): Promise<client.Configuration> {
    if (!this.configuration) {
      const issuer = new URL(this.options.issuer);
      const execute = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);
      this.configuration = client
        .discovery(
          issuer,
          this.options.clientId,
          undefined,
          this.options.clientSecret
            ? client.ClientSecretPost(this.options.clientSecret)
            : client.None(),
          {
            ...(execute ? { execute: [client.allowInsecureRequests] } : {}),
            timeout: 10,
          },
        )
        .then((config) => {
          // openid-client skips the ID token's signature when it comes straight
          // from the token endpoint (allowed by OIDC Core 3.1.3.7); we check it anyway.
          client.enableNonRepudiationChecks(config);
          return config;
        })
        .catch((err: unknown) => {
          this.configuration = undefined;
          throw err;
        });
    }
    return this.configuration;
  }

  async start(): Promise<SsoStart> {
    const config = await this.discover();
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.options.redirectUri,
      scope: this.options.scopes.join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, state, nonce, codeVerifier };
  }

  async finish(
    callbackUrl: URL,
    expected: { state: string; nonce: string; codeVerifier: string },
  ): Promise<SsoResult> {
    let config: client.Configuration;
    try {
      config = await this.discover();
    } catch {
      return { ok: false, reason: 'unavailable' };
    }
    try {
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: expected.codeVerifier,
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) return { ok: false, reason: 'invalid-response' };
      return { ok: true, claims: { ...claims } };
    } catch (err) {
      return { ok: false, reason: classify(err) };
    }
  }
}

/** openid-client's errors as the port's stable reason codes. */
export function classify(err: unknown): SsoFailure {
  type Detail = {
    code?: string;
    error?: string;
    message?: string;
    name?: string;
    cause?: unknown;
  };
  // openid-client wraps oauth4webapi's error (which names the failed claim) in a ClientError.
  const outer = err as Detail;
  const e: Detail =
    outer.name === 'ClientError' && outer.cause instanceof Error ? (outer.cause as Detail) : outer;
  const claim = (e.cause as { claim?: unknown } | undefined)?.claim;
  if (e.name === 'AuthorizationResponseError') return 'provider-error';
  if (e.error === 'invalid_grant') return 'code';
  if (e.name === 'ResponseBodyError') return 'provider-error';
  if (e.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED') {
    if (claim === 'nonce') return 'nonce';
    if (claim === 'aud' || claim === 'azp') return 'audience';
    if (claim === 'iss') return 'issuer';
  }
  if (e.code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED') return 'expired';
  if (e.code === 'OAUTH_KEY_SELECTION_FAILED') return 'signature';
  if (/signature verification failed/i.test(e.message ?? '')) return 'signature';
  if (/state/i.test(e.message ?? '') && e.code === 'OAUTH_INVALID_RESPONSE') return 'state';
  if (e.name === 'TypeError' || e.code === 'OAUTH_TIMEOUT' || e.name === 'TimeoutError') {
    return 'unavailable';
  }
  return 'invalid-response';
}

/** The client secret from its configured source: an environment variable or a file. */
export async function resolveClientSecret(
  sso: SsoConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const source = sso.clientSecret;
  if (!source) return undefined;
  if ('env' in source) {
    const value = env[source.env];
    if (!value) throw new Error(`sso.clientSecret: environment variable ${source.env} is not set`);
    return value;
  }
  try {
    return (await readFile(source.file, 'utf8')).trim();
  } catch (err) {
    throw new Error(`sso.clientSecret: cannot read ${source.file}: ${(err as Error).message}`);
  }
}

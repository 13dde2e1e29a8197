import { GenerateMacCommand, type KMSClient } from '@aws-sdk/client-kms';

/**
 * Secrets derived inside KMS (ADR 0011): HMAC-SHA-256 under a KMS HMAC key of a
 * fixed, versioned label. The key material never leaves KMS, nothing secret is
 * stored anywhere (not in env vars, not in Secrets Manager), the same label
 * always gives the same secret, and only roles allowed kms:GenerateMac on that
 * key can derive it. One KMS call per label per container.
 */
export type SecretLabel =
  | 'blind-index/v1'
  | 'session-signing/v1'
  | 'reply-token/v1'
  | 'partner-link/v1';

export class SecretDeriver {
  readonly #cache = new Map<SecretLabel, Promise<Uint8Array>>();

  constructor(
    private readonly kms: Pick<KMSClient, 'send'>,
    private readonly keyArn: string,
    private readonly municipality: string,
  ) {}

  /** 32 bytes; a failed call is not cached, so the next request tries again. */
  derive(label: SecretLabel): Promise<Uint8Array> {
    let pending = this.#cache.get(label);
    if (!pending) {
      pending = this.#generate(label);
      this.#cache.set(label, pending);
      pending.catch(() => this.#cache.delete(label));
    }
    return pending;
  }

  async #generate(label: SecretLabel): Promise<Uint8Array> {
    const out = await this.kms.send(
      new GenerateMacCommand({
        KeyId: this.keyArn,
        MacAlgorithm: 'HMAC_SHA_256',
        // The municipality is part of the message: two municipalities never share a secret.
        Message: new TextEncoder().encode(`meldroute:${this.municipality}:${label}`),
      }),
    );
    if (out.Mac?.length !== 32) throw new Error(`KMS returned no MAC for ${label}`);
    return out.Mac;
  }
}

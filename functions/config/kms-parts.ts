/**
 * The encryption-context parts (`part`) the partner function's role may use
 * under the envelope key (docs/adr/0018): what the partner pages really do,
 * traced through openPartnerLink and recordPartnerFeedback.
 *
 * - decrypt `signal-key`: unwrap the signal's key, which opens the handover
 *   text (and would open the feedback) sealed under it (docs/adr/0016);
 * - encrypt `signal-key`: make a signal's key when it has none yet (a signal
 *   sealed before ADR 16), so the feedback can be sealed;
 * - encrypt `mail`: seal the officers' "feedback received" notices into the
 *   signal's outbox.
 *
 * Never `reporter`. CDK writes these into the IAM policy
 * (infra/constructs/web.ts); the partner handler's test runs the pages under a
 * keyring that refuses every other part, as KMS would.
 */
export const PARTNER_KMS_PARTS = {
  encrypt: ['mail', 'signal-key'],
  decrypt: ['signal-key'],
} as const satisfies { encrypt: readonly string[]; decrypt: readonly string[] };

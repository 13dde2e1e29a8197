/**
 * The core's one error family. `code` is stable (logs, the HTTP error table);
 * messages are English and never contain personal data. Expected outcomes
 * (duplicate delivery, expired link, illegal move) are return values instead.
 */
export class MeldrouteError extends Error {
  override readonly name: string = 'MeldrouteError';
  readonly code: string = 'INTERNAL';
}

export class DecryptionError extends MeldrouteError {
  override readonly name = 'DecryptionError';
  override readonly code = 'DECRYPT_FAILED';
}

export class ConflictError extends MeldrouteError {
  override readonly name = 'ConflictError';
  override readonly code = 'CONFLICT';
}

export class NotFoundError extends MeldrouteError {
  override readonly name = 'NotFoundError';
  override readonly code = 'NOT_FOUND';
}

/** A dependency (database, blob store) is temporarily unavailable: try again later. */
export class UnavailableError extends MeldrouteError {
  override readonly name = 'UnavailableError';
  override readonly code = 'UNAVAILABLE';
}

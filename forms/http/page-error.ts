/** An expected refusal shown to the user as a Dutch error page with this status. */
export class PageError extends Error {
  override readonly name = 'PageError';
  constructor(
    readonly status: 400 | 403 | 404 | 413 | 429 | 503,
    readonly title: string,
    readonly userMessage: string,
  ) {
    super(title);
  }
}

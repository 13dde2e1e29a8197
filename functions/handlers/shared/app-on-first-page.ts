/**
 * An API Gateway handler for a web app that needs secrets derived in KMS
 * (ADR 0011): /healthz and the stylesheet are answered by `basic` at once and
 * never wait for KMS; every other request by the app `full()` builds on the
 * first of them, once per container. A failed build is not kept, so the next
 * request tries KMS again. `basicOnly` serves everything from `basic` (no
 * secrets configured).
 */
export function appOnFirstPage<H extends (event: never, context: never) => Promise<unknown>>(
  basic: H,
  full: () => Promise<H>,
  basicOnly: () => boolean = () => false,
): H {
  let built: Promise<H> | undefined;
  const main = async (event: Parameters<H>[0], context: Parameters<H>[1]) => {
    const path = (event as { rawPath?: string }).rawPath ?? '';
    if (basicOnly() || path === '/healthz' || path.startsWith('/static/')) {
      return basic(event, context);
    }
    built ??= full().catch((err: unknown) => {
      built = undefined;
      throw err;
    });
    return (await built)(event, context);
  };
  return main as H;
}

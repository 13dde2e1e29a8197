import type { Context } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';

type Status = 200 | 400 | 403 | 404 | 410 | 413 | 429 | 500 | 503;

/** A full HTML page. */
export function page(c: Context, body: JSX.Element, status: Status = 200) {
  return c.html(`<!doctype html>${String(body)}`, status);
}

/** The client's address as the local server or API Gateway sees it; only for rate limits. */
export function clientKey(c: Context): string {
  const env = c.env as
    | {
        incoming?: { socket?: { remoteAddress?: string } };
        requestContext?: { http?: { sourceIp?: string } };
      }
    | undefined;
  return env?.requestContext?.http?.sourceIp ?? env?.incoming?.socket?.remoteAddress ?? 'unknown';
}

/** Form fields as strings (repeated names as arrays); uploaded files are ignored here. */
export async function formFields(c: Context): Promise<Record<string, string | string[]>> {
  const raw = await c.req.parseBody({ all: true });
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
    else if (typeof v === 'string') out[k] = v;
  }
  return out;
}

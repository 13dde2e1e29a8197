/**
 * What API Gateway (HTTP API, payload 2.0) and the Lambda runtime hand a web
 * handler, for tests and benchmarks that call a handler without AWS.
 */

export const API_HOST = 'abc123.execute-api.eu-central-1.amazonaws.com';
export const API_BASE_URL = `https://${API_HOST}`;

export function httpApiEvent(
  method: 'GET' | 'POST',
  path: string,
  init: {
    body?: string;
    cookies?: string[];
    query?: string;
    /** The route API Gateway matched (infra/constructs/web.ts). */
    routeKey?: string;
    userAgent?: string;
  } = {},
) {
  const routeKey = init.routeKey ?? '$default';
  const userAgent = init.userAgent ?? 'Mozilla/5.0 (test)';
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: init.query ?? '',
    ...(init.cookies?.length ? { cookies: init.cookies } : {}),
    headers: {
      host: API_HOST,
      'x-forwarded-proto': 'https',
      'x-forwarded-for': '192.0.2.10',
      'user-agent': userAgent,
      accept: 'text/html',
      ...(init.body !== undefined
        ? { 'content-type': 'application/x-www-form-urlencoded', origin: API_BASE_URL }
        : {}),
    },
    requestContext: {
      accountId: '111122223333',
      apiId: 'abc123',
      domainName: API_HOST,
      domainPrefix: 'abc123',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.10', userAgent },
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      routeKey,
      stage: '$default',
      time: '02/Mar/2026:09:00:00 +0000',
      timeEpoch: 1772442000000,
    },
    isBase64Encoded: false,
    ...(init.body !== undefined ? { body: init.body } : {}),
  };
}

/** The Lambda context of a function named `meldroute-<name>`. */
export function lambdaContext(name: string, memoryLimitInMB = '1024') {
  return {
    functionName: `meldroute-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-central-1:111122223333:function:meldroute-${name}`,
    memoryLimitInMB,
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: `/aws/lambda/meldroute-${name}`,
    logStreamName: '2026/03/02/[$LATEST]abc',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 20_000,
  };
}

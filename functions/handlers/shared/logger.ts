import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Logger } from '#core/ports.ts';

type Fields = Record<string, string | number | boolean>;

/**
 * Structured JSON logs with the Lambda context (request id, cold start) added
 * by the middleware. The core's Logger port only accepts flat strings, numbers
 * and booleans, so no object (an event, a signal, an error with a message from
 * user input) can be passed through by accident.
 */
export function lambdaLogger(service: string): { powertools: PowertoolsLogger; port: Logger } {
  const powertools = new PowertoolsLogger({ serviceName: service });
  const port: Logger = {
    info: (message, fields?: Fields) => powertools.info(message, { ...fields }),
    warn: (message, fields?: Fields) => powertools.warn(message, { ...fields }),
    error: (message, fields?: Fields) => powertools.error(message, { ...fields }),
  };
  return { powertools, port };
}

/**
 * Middy middleware: Lambda context on every line, keys reset per invocation,
 * and never the event (form posts and mails are personal data), whatever
 * POWERTOOLS_LOGGER_LOG_EVENT says.
 */
export function withLambdaContext(logger: PowertoolsLogger) {
  return injectLambdaContext(logger, { logEvent: false, resetKeys: true });
}

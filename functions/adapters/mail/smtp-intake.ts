import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerError, type SMTPServerSession } from 'smtp-server';
import type { Config } from '#core/config.ts';
import { isMailboxAddress } from '#core/mail/addresses.ts';
import { blobKeys, contexts } from '#core/mail/raw-mail.ts';
import type { BlobStore, Crypto, IdGenerator, Logger } from '#core/ports.ts';

/**
 * The local mailbox: an SMTP server that accepts mail for the configured
 * mailbox and its plus-addresses only. A message is sealed and stored in the
 * BlobStore BEFORE the client hears 250, so an accepted message survives any
 * crash after that; if storing fails the client hears 451 and retries. The
 * intake itself runs afterwards (`onStored`), and again on start for
 * anything stored but not processed.
 *
 * No AUTH and no STARTTLS: it listens on loopback by default, where the only
 * clients are local mail programs and test tools. smtp-server's own logging
 * is off because it would log addresses.
 */
export type SmtpIntakeOptions = {
  port: number;
  host: string;
  config: Config;
  blobs: BlobStore;
  crypto: Crypto;
  ids: IdGenerator;
  logger: Logger;
  /**
   * Called with `raw/<rawId>` and the same bytes in clear after the 250; must
   * not throw (errors are its own).
   */
  onStored: (rawKey: string, raw: Uint8Array) => void;
};

export type SmtpIntake = { host: string; port: number; close(): Promise<void> };

export async function startSmtpIntake(options: SmtpIntakeOptions): Promise<SmtpIntake> {
  const { config, blobs, crypto, ids, logger } = options;
  const municipality = config.municipality.code;

  const server = new SMTPServer({
    name: 'meldroute.localhost',
    banner: 'Meldroute meldpunt',
    size: config.limits.maxMessageBytes,
    rejectOversized: true,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideSTARTTLS: true,
    disableReverseLookup: true,
    logger: false,
    maxClients: 50,
    socketTimeout: 60_000,
    closeTimeout: 5_000,

    onRcptTo(address, _session, callback) {
      if (isMailboxAddress(config, address.address)) return callback();
      callback(smtpError(550, '5.1.1 Dit adres bestaat hier niet / no such recipient'));
    },

    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        if (!stream.sizeExceeded) chunks.push(chunk);
      });
      stream.once('error', () =>
        callback(smtpError(451, '4.3.0 Ontvangen mislukt, probeer het later opnieuw')),
      );
      stream.once('end', () => {
        // rejectOversized makes the server answer 552 itself; just keep nothing.
        if (stream.sizeExceeded)
          return callback(smtpError(552, '5.3.4 Bericht te groot / message too big'));
        const rawId = ids.id();
        const raw = Buffer.concat([envelopeHeaders(session), ...chunks]);
        crypto
          .encrypt(raw, contexts.raw(municipality, rawId))
          .then((sealed) => blobs.put(blobKeys.raw(rawId), sealed))
          .then(
            () => {
              logger.info('mail stored', { rawId, bytes: raw.byteLength });
              callback(null, `OK: opgeslagen als ${rawId}`);
              setImmediate(() => options.onStored(blobKeys.raw(rawId), raw));
            },
            (err: Error) => {
              logger.error('mail not stored', { rawId, error: err.name });
              callback(
                smtpError(451, '4.3.0 Tijdelijk niet opgeslagen, probeer het later opnieuw'),
              );
            },
          );
      });
    },
  });

  let started = false;
  await new Promise<void>((resolve, reject) => {
    // smtp-server re-emits its errors; unhandled they would crash the process.
    server.on('error', (err: Error & { code?: string }) => {
      if (!started) return reject(err);
      // After start a client's socket error is that client's problem; it retries (rule 2).
      logger.warn('smtp error', { error: err.code ?? err.name });
    });
    server.listen(options.port, options.host, () => {
      started = true;
      resolve();
    });
  });
  if (!['127.0.0.1', '::1', 'localhost'].includes(options.host)) {
    logger.warn('smtp intake listens beyond loopback without authentication', {
      host: options.host,
    });
  }
  const port = (server.server.address() as AddressInfo).port;
  return {
    host: options.host,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The envelope as headers at the top, as an MTA does: `Return-Path` (empty for
 * bounces, RFC 5321 §4.4) and one `Delivered-To` per recipient, so a Bcc'd
 * plus-address still finds its signal, also when processed later on recovery.
 */
function envelopeHeaders(session: SMTPServerSession): Buffer {
  const clean = (s: string) => s.replace(/[^\x21-\x7e\u00a0-\uffff]/g, '');
  const from = session.envelope.mailFrom ? clean(session.envelope.mailFrom.address) : '';
  const lines = [`Return-Path: <${from}>`];
  for (const r of session.envelope.rcptTo) lines.push(`Delivered-To: ${clean(r.address)}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

function smtpError(code: number, message: string): SMTPServerError {
  const err: SMTPServerError = new Error(message);
  err.responseCode = code;
  return err;
}

import { optionsFromEnv, startLocal } from './runtime.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** `npm start`: Meldroute in one process, no AWS account, no Docker. */
async function main() {
  const runtime = await startLocal(optionsFromEnv());
  // The same host as the links in emails: a session cookie set on one host is not sent to another.
  const url = runtime.config.baseUrl;
  const lines = [
    '',
    `Meldroute draait / is running for ${runtime.config.municipality.name}`,
    `  Signaal melden (staff form):  ${url}/melden`,
    `  Inbox (officer):              ${url}/inbox`,
    `  Sent emails (local only):     ${url}/dev/mail`,
    `  Mailbox (SMTP, no auth):      ${runtime.smtp.host}:${runtime.smtp.port} → ${runtime.config.mailbox}`,
    `  Health:                       ${url}/healthz`,
    `  Data directory:               ${runtime.dataDir}`,
    `Sign in at ${url}/login as ${runtime.config.officers[0]} (officer) or any address @${runtime.config.staffDomains[0]} (staff);`,
    'the sign-in link appears in /dev/mail. The officer then sets up an authenticator app',
    '(first sign-in) or gives its code. Single sign-on: docs/sign-in.md. Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping Meldroute…\n');
    await runtime.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: Error) => {
  process.stderr.write(`Meldroute could not start:\n${err.message}\n`);
  process.exit(1);
});

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The README's contract, as a newcomer runs it: `npm start` (package.json's
 * own command, through npm) serves Meldroute, and Ctrl-C stops it cleanly.
 */
describe('npm start', () => {
  let dataDir = '';
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('serves the staff form and stops on Ctrl-C', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'meldroute-npm-start-'));
    // Vitest sets BASE_URL ('/') for Vite; a newcomer's shell has none.
    const { BASE_URL: _vite, ...env } = process.env;
    const child = spawn('npm', ['start', '--silent'], {
      env: { ...env, PORT: '0', SMTP_PORT: '0', DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const health = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start in 60 s: ${output}`)), 60_000);
        child.stdout.on('data', () => {
          const m = output.match(/Health:\s+(http:\/\/\S+\/healthz)/);
          if (m?.[1]) {
            clearTimeout(timer);
            resolve(m[1].replace('localhost', '127.0.0.1'));
          }
        });
        void exited.then((code) => reject(new Error(`exited with ${code}: ${output}`)));
      });

      expect((await fetch(health)).status).toBe(200);
      const form = await fetch(health.replace('/healthz', '/melden'), { redirect: 'manual' });
      // Not signed in: the form sends staff to the sign-in page, in Dutch.
      expect([200, 302, 303]).toContain(form.status);

      // Ctrl-C reaches the whole process group, as in a terminal (npm itself
      // dies of it; Meldroute closes its servers and its database).
      process.kill(-(child.pid as number), 'SIGINT');
      await exited;
      let down = false;
      for (let i = 0; i < 100 && !down; i++) {
        down = await fetch(health).then(
          () => false,
          () => true,
        );
        if (!down) await new Promise((r) => setTimeout(r, 100));
      }
      expect(down).toBe(true);
      expect(output).toContain('Stopping Meldroute');
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-(child.pid as number), 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }, 90_000);
});

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { REPORT_FILE } from './report.ts';

export function setup() {
  rmSync(REPORT_FILE, { force: true });
}

export function teardown() {
  if (!existsSync(REPORT_FILE)) return;
  const rows = readFileSync(REPORT_FILE, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split('\t'));
  const w = Math.max(...rows.map((r) => (r[0] ?? '').length));
  const lines = rows.map(
    ([s, f, h]) => `  ${(s ?? '').padEnd(w)}  ${h === 'holds' ? '✓' : '✗'}  ${f}`,
  );
  process.stdout.write(`\nReliability and security scenarios:\n${lines.join('\n')}\n\n`);
}

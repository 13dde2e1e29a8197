import { appendFileSync, mkdirSync } from 'node:fs';

export const REPORT_FILE = 'test-results/reliability.tsv';

/** Records one scenario's figure; the global teardown prints them all as one table. */
export function report(scenario: string, figure: string, holds: boolean) {
  mkdirSync('test-results', { recursive: true });
  appendFileSync(REPORT_FILE, `${scenario}\t${figure}\t${holds ? 'holds' : 'FAILS'}\n`);
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig, roleOf } from '#core/config.ts';

const example = JSON.parse(readFileSync('config/montfoort.example.json', 'utf8'));

describe('configuration', () => {
  it('accepts the shipped Montfoort example', () => {
    const c = parseConfig(example);
    expect(c.municipality.code).toBe('montfoort');
    expect(c.partners.find((p) => p.alwaysInclude)?.id).toBe('zorgcoordinator');
  });

  it('names the wrong field when the config is invalid', () => {
    expect(() => parseConfig({ ...example, mailbox: 'not-an-address' })).toThrow(/mailbox/);
    expect(() =>
      parseConfig({
        ...example,
        partners: example.partners.map((p: object) => ({ ...p, alwaysInclude: false })),
      }),
    ).toThrow(/partners: at least one partner must have alwaysInclude/);
  });

  it('knows officers by address and staff by domain', () => {
    const c = parseConfig(example);
    expect(roleOf(c, 'Aandachtsfunctionaris@Montfoort.example')).toBe('officer');
    expect(roleOf(c, 'jan@montfoort.example')).toBe('staff');
    expect(roleOf(c, 'jan@elders.example')).toBeUndefined();
  });
});

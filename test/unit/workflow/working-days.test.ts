import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  amsterdamDate,
  dutchHolidays,
  easterSunday,
  isWorkingDay,
  workingDaysBetween,
} from '#core/working-days.ts';

describe('working days (weekends and Dutch public holidays do not count)', () => {
  it('knows Easter for years with known dates', () => {
    expect(easterSunday(2024)).toBe('2024-03-31');
    expect(easterSunday(2025)).toBe('2025-04-20');
    expect(easterSunday(2026)).toBe('2026-04-05');
    expect(easterSunday(2038)).toBe('2038-04-25');
  });

  it('lists the general days off of 2026, without Good Friday', () => {
    const h = dutchHolidays(2026);
    expect([...h.keys()].sort()).toEqual([
      '2026-01-01',
      '2026-04-05',
      '2026-04-06',
      '2026-04-27',
      '2026-05-05',
      '2026-05-14',
      '2026-05-24',
      '2026-05-25',
      '2026-12-25',
      '2026-12-26',
    ]);
    expect(h.get('2026-05-14')).toBe('Hemelvaartsdag');
    expect(isWorkingDay('2026-04-03')).toBe(true); // Goede Vrijdag
  });

  it('moves Koningsdag to 26 April when 27 April is a Sunday', () => {
    expect(dutchHolidays(2025).get('2025-04-26')).toBe('Koningsdag');
    expect(dutchHolidays(2025).has('2025-04-27')).toBe(false);
  });

  it('gives Bevrijdingsdag every year by default, and only every fifth year when configured so', () => {
    expect(isWorkingDay('2026-05-05')).toBe(false);
    expect(isWorkingDay('2026-05-05', { liberationDayEveryYear: false })).toBe(true);
    expect(isWorkingDay('2025-05-05', { liberationDayEveryYear: false })).toBe(false);
  });

  it('skips weekends and holidays when counting forward', () => {
    expect(addWorkingDays('2026-03-06', 1)).toBe('2026-03-09'); // Friday → Monday
    expect(addWorkingDays('2026-03-02', 10)).toBe('2026-03-16');
    // Thursday before Easter + 2: Good Friday counts, Easter Monday does not.
    expect(addWorkingDays('2026-04-02', 2)).toBe('2026-04-07');
    expect(addWorkingDays('2026-12-24', 1)).toBe('2026-12-28');
  });

  it('with zero days gives the same day, or the next working day when it is a holiday', () => {
    expect(addWorkingDays('2026-03-04', 0)).toBe('2026-03-04');
    expect(addWorkingDays('2026-12-25', 0)).toBe('2026-12-28');
  });

  it('counts working days between two dates', () => {
    expect(workingDaysBetween('2026-03-02', '2026-03-16')).toBe(10);
    expect(workingDaysBetween('2026-03-16', '2026-03-02')).toBe(0);
  });

  it('takes "today" in Amsterdam, not UTC', () => {
    expect(amsterdamDate(new Date('2026-03-01T23:30:00Z'))).toBe('2026-03-02');
  });
});

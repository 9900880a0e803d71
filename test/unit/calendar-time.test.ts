import { describe, expect, it } from 'vitest';
import { formatZonedDateTime, parseMatchTime } from '../../shared/fogis-time';

describe('match time', () => {
  it('reads /Date(ms)/ as UTC epoch milliseconds', () => {
    expect(parseMatchTime('/Date(1777647600000)/')?.toISOString()).toBe('2026-05-01T15:00:00.000Z');
  });

  it('reads zone-less ISO as Stockholm local time, summer and winter', () => {
    expect(parseMatchTime('2026-05-01T17:00:00')?.toISOString()).toBe('2026-05-01T15:00:00.000Z');
    expect(parseMatchTime('2026-12-01T17:00')?.toISOString()).toBe('2026-12-01T16:00:00.000Z');
    expect(parseMatchTime('2026-10-25T01:30:00')?.toISOString()).toBe('2026-10-24T23:30:00.000Z');
  });

  it('honours explicit zones', () => {
    expect(parseMatchTime('2026-05-01T15:00:00Z')?.toISOString()).toBe('2026-05-01T15:00:00.000Z');
    expect(parseMatchTime('2026-05-01T17:00:00+02:00')?.toISOString()).toBe('2026-05-01T15:00:00.000Z');
  });

  it('rejects FOGIS null dates and garbage', () => {
    expect(parseMatchTime('/Date(-62135596800000)/')).toBeNull();
    expect(parseMatchTime('tomorrow')).toBeNull();
    expect(parseMatchTime(undefined)).toBeNull();
  });

  it('formats with the zone offset', () => {
    expect(formatZonedDateTime(new Date('2026-01-10T12:00:00Z'), 'Europe/Stockholm')).toBe('2026-01-10T13:00:00+01:00');
    expect(formatZonedDateTime(new Date('2026-05-01T15:00:00Z'), 'UTC')).toBe('2026-05-01T15:00:00+00:00');
  });
});

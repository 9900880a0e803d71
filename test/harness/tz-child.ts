/**
 * Run in a child process with TZ set to a zone far from Stockholm (test/unit/fogis-time-tz.test.ts):
 * the renderer's and the desktop's readings of FOGIS times, as JSON on stdout. TZ is set
 * before anything is imported, so every Date in these modules sees the foreign zone.
 */
import { fmtDate, fmtTime, kickoffOf, parseTid } from '../../renderer/src/format';
import { describeChange, oneLine, parseFogisTime } from '../../electron/desktop/notification-policy';
import type { FogisMatch } from '../../shared/messages';
import type { MatchChange } from '../../shared/state';

const NULL_TID = '/Date(-62135596800000)/';
const moved: MatchChange = {
  matchId: '6400101',
  kind: 'changed',
  title: 'Öckerö IF - Torslanda IK',
  at: '2026-05-01T10:00:00.000Z',
  messageId: 'm1',
  // Only `tid` moved, written without a zone: Swedish wall-clock time (spec §2.7).
  fields: [{ field: 'tid', old: '2026-05-10T17:00:00', new: '2026-05-10T19:30:00' }],
};
const bySpeldatum = { speldatum: '2026-01-15', avsparkstid: '18:45' } as unknown as FogisMatch;
const nullDated = { tid: NULL_TID } as unknown as FogisMatch;
const zoneLess = parseTid('2026-05-10T17:00:00');

process.stdout.write(
  JSON.stringify({
    machineOffsetMinutes: new Date('2026-05-10T15:00:00Z').getTimezoneOffset(),
    renderer: {
      zoneLess: zoneLess?.toISOString() ?? null,
      clock: zoneLess ? fmtTime(zoneLess, 'sv') : null,
      date: zoneLess ? fmtDate(zoneLess, 'en') : null,
      speldatum: kickoffOf(bySpeldatum)?.toISOString() ?? null,
      nullDate: parseTid(NULL_TID),
      nullDateKickoff: kickoffOf(nullDated),
    },
    desktop: {
      zoneLess: parseFogisTime('2026-05-10T17:00:00'),
      nullDate: parseFogisTime(NULL_TID),
      moved: oneLine(describeChange(moved, 'sv') ?? { title: '', body: '' }),
    },
  }),
);

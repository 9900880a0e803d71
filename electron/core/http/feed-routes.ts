import { HttpError } from './respond';
import type { RouteDeps, Routes } from './http-app';

/** The files a calendar app or a phone subscribes to: the ICS calendar and the referee phonebook. */
export function feedRoutes({ app }: RouteDeps): Routes {
  return {
    '/calendar.ics': {
      GET: async ({ res }) => {
        const ics = await app.readIcs();
        if (ics === null) throw new HttpError(404, 'No calendar file yet (the ICS calendar is written when the first match list arrives)');
        res.writeHead(200, { 'Content-Type': 'text/calendar; charset=utf-8', 'Content-Disposition': 'inline; filename="fogis-matches.ics"', 'Cache-Control': 'no-cache', 'Content-Length': Buffer.byteLength(ics) });
        res.end(ics);
      },
    },
    '/contacts.vcf': {
      GET: async ({ res }) => {
        const vcf = await app.readVcard();
        if (vcf === null) throw new HttpError(404, 'No phonebook yet (it is written when the first match list arrives)');
        res.writeHead(200, {
          'Content-Type': 'text/vcard; charset=utf-8',
          'Content-Disposition': 'attachment; filename="fogis-contacts.vcf"',
          // Personal data: never kept by a cache on the way.
          'Cache-Control': 'no-store',
          'X-Content-Type-Options': 'nosniff',
          'Content-Length': Buffer.byteLength(vcf),
        });
        res.end(vcf);
      },
    },
  };
}

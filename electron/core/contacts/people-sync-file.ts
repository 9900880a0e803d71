import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { DesiredPerson } from './people-merge';

/**
 * What the Google Contacts sync keeps in the data directory (mode 0600): the group it made,
 * what it last wrote per person (hash, etag), the outbox of pending writes, the people it
 * gave up on, and its counters. Read at start; a corrupt file is set aside (people-sync.ts).
 */

export const PEOPLE_SYNC_FILE = 'contacts-google-sync.json';

const addressSchema = z.object({ street: z.string().nullable(), postalCode: z.string().nullable(), city: z.string().nullable(), country: z.string().nullable() });
const desiredSchema = z.object({
  key: z.string(),
  refereeNumber: z.string().nullable(),
  name: z.string(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  address: addressSchema.nullable(),
});
const jobSchema = z.object({
  key: z.string(),
  person: desiredSchema,
  hash: z.string(),
  attempts: z.number().int(),
  nextAttemptAt: z.number(),
  lastError: z.string().nullable(),
  seq: z.number().int(),
});
export type Job = z.infer<typeof jobSchema>;
const recordSchema = z.object({ resourceName: z.string(), etag: z.string().nullable(), hash: z.string(), syncedAt: z.string() });
export type PersonRecord = z.infer<typeof recordSchema>;
const failureSchema = z.object({ hash: z.string(), error: z.string(), at: z.string() });
export const fileSchema = z.object({
  version: z.literal(1),
  group: z.string().nullable(),
  records: z.record(z.string(), recordSchema),
  outbox: z.array(jobSchema),
  failed: z.record(z.string(), failureSchema),
  counters: z.record(z.string(), z.number().int()),
  lastSyncAt: z.string().nullable(),
});
export type SyncFile = z.infer<typeof fileSchema>;

export const emptySyncFile = (): SyncFile => ({ version: 1, group: null, records: {}, outbox: [], failed: {}, counters: {}, lastSyncAt: null });

export function personHash(p: DesiredPerson): string {
  return createHash('sha256').update(JSON.stringify([p.refereeNumber, p.name, p.phone, p.email, p.address])).digest('hex').slice(0, 32);
}

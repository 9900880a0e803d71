import type { Logger } from '../log';
import type { CalendarBackend } from './backend';
import type { AppAlertInput } from './calendar-sink';
import type { EnginePersistence } from './engine-persistence';
import type { SyncStore } from './sync-store';
import type { SyncWaiters } from './sync-waiters';

/**
 * What the engine's jobs (list planner, plan applier, reconcile) are handed from the engine
 * (sync-engine.ts), written once so the three cannot drift apart.
 */
export interface SyncParts {
  store: SyncStore;
  backend: CalendarBackend;
  persistence: EnginePersistence;
  waiters: SyncWaiters;
  log: Logger;
  raiseAlert(alert: AppAlertInput): void;
  resolveAlerts?(alertType: string): void;
  nowMs(): number;
}

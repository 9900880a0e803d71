import type { ActionResult, ConfigUpdateResult, RedisTestResult, SyncReport } from '../../../shared/api';

/**
 * Error answers the bridges build themselves when the host answered with something that is
 * not the expected body (a proxy's 502 page, a crashed handler). The Bridge contract says
 * such answers resolve as `success:false`, so the UI has one path for every failure.
 */
export const failedAction = (error: string): ActionResult => ({ success: false, error });

export const failedSync = (error: string): SyncReport => ({
  success: false,
  inserted: 0,
  updated: 0,
  deleted: 0,
  unchanged: 0,
  failed: 0,
  held: 0,
  summary: error,
  error,
});

export const failedTest = (error: string): RedisTestResult => ({
  success: false,
  ping_ms: null,
  pubsub_roundtrip_ms: null,
  error,
});

export const failedConfig = (error: string): ConfigUpdateResult => ({ success: false, error, errors: [] });

/**
 * Kept free of zod so the sandboxed preload bundle stays small.
 */
/** IPC channel names (area:verb), the allowlist the preload and main both check. */
export const IPC = {
  getSnapshot: 'state:get',
  getMessages: 'messages:get',
  syncNow: 'sync:now',
  confirmDeletions: 'sync:confirm-deletions',
  confirmTakeover: 'sync:confirm-takeover',
  restartSubscription: 'redis:restart',
  testConnection: 'redis:test',
  acknowledgeAlerts: 'alerts:ack',
  setPaused: 'redis:pause',
  muteNotifications: 'notifications:mute',
  updateConfig: 'config:update',
  googleSignIn: 'google:sign-in',
  googleSignOut: 'google:sign-out',
  getContacts: 'contacts:get',
  event: 'monitor:event',
} as const;

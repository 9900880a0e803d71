/**
 * Identity shared by the code and electron-builder.yml. The app id doubles as the Windows
 * AppUserModelID: if the two differ, notification clicks from the Action Center are lost
 * (electron/electron#32585), so a unit test checks the yml against this constant.
 */
export const APP_ID = 'se.fogis.monitor';
export const PRODUCT_NAME = 'FOGIS Monitor';
/** File name of the XDG autostart entry and the Linux icon name. */
export const LINUX_NAME = 'fogis-monitor';
/** Passed by the login item so the app starts in the tray without opening its window. */
export const HIDDEN_ARG = '--hidden';
/**
 * How long the subscription may be down before the tray turns red and a notification says
 * so. One constant (shared/status.ts) for the status, the icon and the notification.
 */
export { CONNECTION_GRACE_MS } from '../../shared/status';

/** The dashboard's tabs, in their order; the pages and the hash route name them. */
export const TABS = ['overview', 'matches', 'contacts', 'alerts', 'messages', 'settings'] as const;
export type Tab = (typeof TABS)[number];

import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Bridge } from '../../shared/contract';
import { AppProvider, useApp, useBridge } from './context';
import { useT, type MessageKey } from './i18n';
import { createAppStore, effectiveLang, type AppStore, type StoreOptions } from './store';
import { OverallStatus } from './components/OverallStatus';
import { LiveRegion } from './components/LiveRegion';
import { Glance } from './pages/Glance';
import { useNarrow } from './useMediaQuery';
import { fmtDateTime } from './format';
import { Overview } from './pages/Overview';
import { Matches } from './pages/Matches';
import { Alerts } from './pages/Alerts';
import { Messages } from './pages/Messages';
import { Settings } from './pages/Settings';
import { Contacts } from './pages/Contacts';
import { TABS, type Tab } from './tabs';

/** `#compact` is the tray window's view (issue 14): the glance, without the tabs. */
export const COMPACT_HASH = 'compact';

/** `#matches/6400101` opens a tab at an item (notification click-through). */
export function parseHash(hash: string): { tab: Tab; item: string | null } {
  const [name, item] = hash.replace(/^#\/?/, '').split('/');
  const tab = (TABS as readonly string[]).includes(name ?? '') ? (name as Tab) : 'overview';
  return { tab, item: item ? decodeURIComponent(item) : null };
}

export function isCompactHash(hash: string): boolean {
  return hash.replace(/^#\/?/, '').split('/')[0] === COMPACT_HASH;
}

export function App({ bridge, store: given, storeOptions }: { bridge: Bridge; store?: AppStore; storeOptions?: StoreOptions }) {
  // One store per mounted app; later prop changes do not replace it.
  const [store] = useState(() => given ?? createAppStore(bridge, storeOptions));
  useEffect(() => store.getState().start(), [store]);
  return (
    <AppProvider bridge={bridge} store={store}>
      <Shell />
    </AppProvider>
  );
}

function Shell() {
  const { t, tn, lang } = useT();
  const snapshot = useApp((s) => s.snapshot);
  const loadError = useApp((s) => s.loadError);
  const linkUp = useApp((s) => s.linkUp);
  const linkLostAt = useApp((s) => s.linkLostAt);
  const hash = (): string => (typeof location === 'undefined' ? '' : location.hash);
  const [route, setRoute] = useState(() => parseHash(hash()));
  const [compact, setCompact] = useState(() => isCompactHash(hash()));
  const narrow = useNarrow();
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({});

  useEffect(() => {
    const onHash = (): void => {
      setRoute(parseHash(location.hash));
      setCompact(isCompactHash(location.hash));
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  // In the tray window Escape closes it, as it would a menu (main turns close into hide).
  const bridge = useBridge();
  useEffect(() => {
    if (!compact || bridge.kind !== 'ipc') return;
    const onKey = (e: globalThis.KeyboardEvent): void => {
      if (e.key === 'Escape') window.close();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [compact, bridge]);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t('app.title');
  }, [lang, t]);

  const go = (tab: Tab, focus = false): void => {
    setRoute({ tab, item: null });
    setCompact(false);
    if (typeof history !== 'undefined') history.replaceState(null, '', `#${tab}`);
    if (focus) tabRefs.current[tab]?.focus();
  };

  // WAI-ARIA tabs: arrows move between tabs, Home/End jump.
  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>): void => {
    const i = TABS.indexOf(route.tab);
    const next =
      e.key === 'ArrowRight' ? TABS[(i + 1) % TABS.length] :
      e.key === 'ArrowLeft' ? TABS[(i - 1 + TABS.length) % TABS.length] :
      e.key === 'Home' ? TABS[0] :
      e.key === 'End' ? TABS[TABS.length - 1] : undefined;
    if (next) {
      e.preventDefault();
      go(next, true);
    }
  };

  const unacked = snapshot?.alerts.items.filter((a) => !a.acknowledged).length ?? 0;
  const loading = (
    <div className="loading" data-testid="loading">
      {loadError ? t('app.cannotReach', { error: loadError }) : t('app.loading')}
    </div>
  );

  const header = (
    <header className="topbar">
      <h1 className="brand">{t('app.title')}</h1>
      {snapshot && <OverallStatus />}
      <LanguageSwitch />
    </header>
  );
  // `npm run demo`: nothing shown is real, and every layout says so.
  const demoBanner = snapshot?.status.demo ? (
    <div className="banner banner-warn" data-testid="demo-banner">
      {t('demo.banner')}
    </div>
  ) : null;
  // Always in the page, filled when the link drops (see LiveRegion).
  const linkBanner = (
    <LiveRegion testId="link-live">
      {!linkUp && snapshot && (
        <div className="banner banner-error" data-testid="link-banner">
          {t('link.lost', { time: linkLostAt ? fmtDateTime(linkLostAt, lang) : '—' })}
        </div>
      )}
    </LiveRegion>
  );

  if (compact) {
    return (
      <div className="app app-compact" data-layout="compact">
        {header}
        {demoBanner}
        {linkBanner}
        <main className="panel" data-testid="compact-view">
          {!snapshot ? loading : <Glance onOpen={go} standalone />}
        </main>
      </div>
    );
  }

  return (
    <div className={narrow ? 'app app-narrow' : 'app'} data-layout={narrow ? 'narrow' : 'wide'}>
      {header}
      {demoBanner}
      {linkBanner}
      {/* The landmark stays a nav; the tab widget lives inside it. */}
      <nav className="tabs-nav" aria-label={t('nav.label')}>
        <div className="tabs" role="tablist" aria-label={t('nav.label')}>
          {TABS.map((tab) => (
            <button
              key={tab}
              ref={(el) => {
                tabRefs.current[tab] = el;
              }}
              type="button"
              role="tab"
              id={`tab-${tab}`}
              data-testid={`tab-${tab}`}
              aria-selected={route.tab === tab}
              aria-controls={`panel-${tab}`}
              tabIndex={route.tab === tab ? 0 : -1}
              className="tab"
              onClick={() => go(tab)}
              onKeyDown={onTabKey}
            >
              {t(`nav.${tab}` as MessageKey)}
              {tab === 'alerts' && unacked > 0 && (
                <span className="tab-badge" data-testid="alerts-unacked" aria-label={tn('alerts.unackedCount', unacked)}>
                  {unacked}
                </span>
              )}
            </button>
          ))}
        </div>
      </nav>
      <main className="panel-main">
        <div id={`panel-${route.tab}`} role="tabpanel" aria-labelledby={`tab-${route.tab}`} className="panel" tabIndex={-1}>
          {!snapshot ? (
            loading
          ) : route.tab === 'overview' ? (
            <Overview onOpen={go} narrow={narrow} />
          ) : route.tab === 'matches' ? (
            <Matches focusId={route.item} />
          ) : route.tab === 'contacts' ? (
            <Contacts item={route.item} />
          ) : route.tab === 'alerts' ? (
            <Alerts focusId={route.item} />
          ) : route.tab === 'messages' ? (
            <Messages />
          ) : (
            <Settings />
          )}
        </div>
      </main>
    </div>
  );
}

function LanguageSwitch() {
  const { t, lang } = useT();
  const setLanguage = useApp((s) => s.setLanguage);
  const bridge = useBridge();
  const hasSnapshot = useApp((s) => s.snapshot !== null);
  // FOGIS_MONITOR_LANGUAGE fixes it: the core would refuse the change; switch this page only.
  const envFixed = useApp((s) => s.snapshot?.envFixed['ui.language'] !== undefined);
  const other = lang === 'sv' ? 'en' : 'sv';
  const currentEffective = useApp(effectiveLang);
  return (
    <button
      type="button"
      className="btn btn-ghost lang-switch"
      data-testid="language-switch"
      data-lang={currentEffective}
      lang={other}
      aria-label={t('lang.switchLabel')}
      onClick={() => {
        setLanguage(other);
        // Persist it, so notifications and the next start use it too; the local choice
        // stands even if the host cannot save it.
        if (hasSnapshot && !envFixed) void bridge.updateConfig({ ui: { language: other } }).catch(() => undefined);
      }}
    >
      {t('lang.other')}
    </button>
  );
}

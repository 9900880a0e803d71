import { useEffect, useState } from 'react';

/** Below this width the dashboard uses the compact layout of the tray window (issue 14 item 8). */
export const NARROW_QUERY = '(max-width: 500px)';

function matches(query: string): boolean {
  return typeof window !== 'undefined' && typeof window.matchMedia === 'function' && window.matchMedia(query).matches;
}

/** Follows a CSS media query; false where the environment has no matchMedia (jsdom). */
export function useMediaQuery(query: string): boolean {
  const [on, setOn] = useState(() => matches(query));
  useEffect(() => {
    if (typeof window === 'undefined' || typeof window.matchMedia !== 'function') return;
    const mql = window.matchMedia(query);
    const onChange = (): void => setOn(mql.matches);
    onChange();
    mql.addEventListener('change', onChange);
    return () => mql.removeEventListener('change', onChange);
  }, [query]);
  return on;
}

export const useNarrow = (): boolean => useMediaQuery(NARROW_QUERY);

import { useState, type KeyboardEvent } from 'react';

/**
 * Roving tabindex for long lists (the message inspector keeps up to 5,000): the list is one
 * tab stop, arrow keys, Home and End move within it, Tab leaves it. Items carry
 * `data-roving` and take `tabIndex` from `tabIndexFor`.
 */
export function useRovingList<K extends string | number>(keys: readonly K[]) {
  const [active, setActive] = useState<K | null>(null);
  const current = active !== null && keys.includes(active) ? active : (keys[0] ?? null);
  return {
    tabIndexFor: (key: K): 0 | -1 => (key === current ? 0 : -1),
    onItemFocus: (key: K) => () => setActive(key),
    onKeyDown: (e: KeyboardEvent<HTMLElement>): void => {
      const items = [...e.currentTarget.querySelectorAll<HTMLElement>('[data-roving]')];
      const i = items.findIndex((el) => el === document.activeElement);
      if (i < 0) return;
      const next =
        e.key === 'ArrowDown' ? items[Math.min(i + 1, items.length - 1)] :
        e.key === 'ArrowUp' ? items[Math.max(i - 1, 0)] :
        e.key === 'Home' ? items[0] :
        e.key === 'End' ? items[items.length - 1] : undefined;
      if (!next) return;
      e.preventDefault();
      next.focus();
    },
  };
}

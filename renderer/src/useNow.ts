import { useEffect, useState } from 'react';

/** Re-renders every `ms` so "5 minutes ago" and the rate chart keep moving. */
export function useNow(ms = 10_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

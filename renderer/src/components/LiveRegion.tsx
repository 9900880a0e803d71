import type { ReactNode } from 'react';

/**
 * A polite live region that is in the page before its text is. Screen readers often say
 * nothing about a region inserted together with its content, so banners that come and go
 * (possibly stale, link lost) are filled into one of these instead.
 */
export function LiveRegion({ children, testId, className }: { children?: ReactNode; testId?: string; className?: string }) {
  return (
    <div role="status" aria-live="polite" className={className ?? 'live-region'} data-testid={testId}>
      {children}
    </div>
  );
}

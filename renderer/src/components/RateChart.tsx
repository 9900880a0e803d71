import { RATE_WINDOW_MS } from '../store';

const BUCKETS = 20;

/** Messages per 30-second bucket over the last 10 minutes, oldest first. */
export function bucketize(arrivals: number[], now: number, buckets = BUCKETS): number[] {
  const size = RATE_WINDOW_MS / buckets;
  const from = now - RATE_WINDOW_MS;
  const out = new Array<number>(buckets).fill(0);
  for (const t of arrivals) {
    if (t < from || t > now) continue;
    const i = Math.min(buckets - 1, Math.floor((t - from) / size));
    out[i] = (out[i] ?? 0) + 1;
  }
  return out;
}

export function RateChart({ arrivals, now, label }: { arrivals: number[]; now: number; label: string }) {
  const data = bucketize(arrivals, now);
  const max = Math.max(1, ...data);
  const w = 300;
  const h = 60;
  const bw = w / data.length;
  return (
    <svg
      className="rate-chart"
      data-testid="rate-chart"
      viewBox={`0 0 ${w} ${h + 2}`}
      role="img"
      aria-label={label}
      preserveAspectRatio="none"
    >
      <line x1="0" y1={h + 1} x2={w} y2={h + 1} className="rate-axis" />
      {data.map((v, i) => {
        const bh = v === 0 ? 0 : Math.max(2, (v / max) * h);
        return <rect key={i} x={i * bw + 1} y={h - bh} width={bw - 2} height={bh} className="rate-bar" rx="1" />;
      })}
    </svg>
  );
}

import { useEffect, useState } from 'react';

/** Seconds since `since` (ISO time), ticking every second; null when not running. */
export function useElapsed(since: string | null | undefined, until?: string | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!since || until) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [since, until]);
  if (!since) return null;
  const end = until ? Date.parse(until) : now;
  return Math.max(0, Math.floor((end - Date.parse(since)) / 1000));
}

export function formatDuration(sec: number): string {
  const m = Math.floor(sec / 60);
  const s = sec % 60;
  const h = Math.floor(m / 60);
  const mm = String(m % 60).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export type NetworkQuality = 'good' | 'fair' | 'poor' | 'offline';

/** Rates a connection from round trips to the web app (ms); null entries are failed requests. */
export function rateConnection(roundTrips: (number | null)[]): NetworkQuality {
  const ok = roundTrips.filter((rtt): rtt is number => rtt !== null).sort((a, b) => a - b);
  if (ok.length === 0) return 'offline';
  const median = ok[Math.floor(ok.length / 2)]!;
  const lossRate = 1 - ok.length / roundTrips.length;
  if (median > 600 || lossRate > 0.4) return 'poor';
  if (median > 250 || lossRate > 0) return 'fair';
  return 'good';
}

export async function measureRoundTrips(url: string, samples: number): Promise<(number | null)[]> {
  const results: (number | null)[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    try {
      const response = await fetch(url, { cache: 'no-store', signal: AbortSignal.timeout(3000) });
      results.push(response.ok ? performance.now() - started : null);
    } catch {
      results.push(null);
    }
  }
  return results;
}

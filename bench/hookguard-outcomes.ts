/** hookguard_requests_total by outcome, summed over hooks, from the admin port's /metrics. */
export async function hookguardOutcomes(adminOrigin: string): Promise<Record<string, number>> {
  const answer = await fetch(`${adminOrigin}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await answer.text();
  const outcomes: Record<string, number> = {};
  for (const match of text.matchAll(/^hookguard_requests_total\{([^}]*)\} (\S+)$/gm)) {
    const outcome = /outcome="([^"]+)"/.exec(match[1]!)?.[1] ?? 'unknown';
    outcomes[outcome] = (outcomes[outcome] ?? 0) + Number(match[2]);
  }
  return outcomes;
}

export function outcomesBetween(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [outcome, count] of Object.entries(after)) delta[outcome] = count - (before[outcome] ?? 0);
  return delta;
}

/** Reads one sample from a Prometheus text exposition; 0 when the series is absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    const labelText = rest[0] === '{' ? rest.slice(1, rest.indexOf('}')) : '';
    const found: Record<string, string> = {};
    for (const match of labelText.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) found[match[1]!] = match[2]!;
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return 0;
}

export async function scrape(adminUrl: string): Promise<string> {
  const res = await fetch(`${adminUrl}/metrics`);
  return res.text();
}

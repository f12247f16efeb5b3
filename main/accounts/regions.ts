/**
 * AWS regions KVS Wall accepts. A typo such as `us-east1` or `eu-west-9` would otherwise only show
 * up as a DNS failure much later; checking the name up front gives a clear message at once.
 * Kept as one list so adding a newly launched region is a one-line change.
 */
export const AWS_REGIONS = [
  // Commercial
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
  'af-south-1',
  'ap-east-1', 'ap-east-2', 'ap-south-1', 'ap-south-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
  'ca-central-1', 'ca-west-1',
  'eu-central-1', 'eu-central-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-south-1', 'eu-south-2', 'eu-north-1',
  'il-central-1',
  'me-south-1', 'me-central-1',
  'mx-central-1',
  'sa-east-1',
  // AWS GovCloud (US)
  'us-gov-east-1', 'us-gov-west-1',
  // China
  'cn-north-1', 'cn-northwest-1',
] as const;

export type AwsRegion = (typeof AWS_REGIONS)[number];

const known: ReadonlySet<string> = new Set(AWS_REGIONS);

export function isKnownRegion(name: string): name is AwsRegion {
  return known.has(name);
}

/** The regions whose names are closest to a mistyped one, for "did you mean …" hints. */
export function similarRegions(name: string, limit = 3): string[] {
  return [...AWS_REGIONS]
    .map((region) => ({ region, distance: editDistance(name, region) }))
    .filter((r) => r.distance <= 3)
    .sort((a, b) => a.distance - b.distance || a.region.localeCompare(b.region))
    .slice(0, limit)
    .map((r) => r.region);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

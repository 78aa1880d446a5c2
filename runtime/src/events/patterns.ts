/** Event-type patterns: `session.submitted`, `session.*`, `*`. A `*` matches any run of characters. */
export const EVENT_PATTERN = /^[A-Za-z0-9_.*-]{1,100}$/;

export function compileEventPatterns(patterns: string[]): (type: string) => boolean {
  const regexes = patterns.map((p) => new RegExp(`^${p.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&')).join('.*')}$`));
  return (type) => regexes.some((r) => r.test(type));
}

/** Parses a comma-separated list; undefined when any entry is not a valid pattern. */
export function parseEventPatternList(csv: string): string[] | undefined {
  const patterns = csv.split(',').map((p) => p.trim()).filter(Boolean);
  if (patterns.length === 0 || patterns.length > 50 || !patterns.every((p) => EVENT_PATTERN.test(p))) return undefined;
  return patterns;
}

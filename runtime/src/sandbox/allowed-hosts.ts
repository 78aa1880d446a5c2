/**
 * A manifest's allowed hosts may name config values (`{config.backOfficeUrl}`), so a team's own
 * back-office host can be called. A value that is a URL contributes its host.
 */
export function resolveAllowedHosts(patterns: string[], config: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const pattern of patterns) {
    const value = pattern.replace(/\{config\.([A-Za-z0-9_.]+)\}/g, (_, path: string) => {
      let v: unknown = config;
      for (const part of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
      return typeof v === 'string' ? v : '';
    });
    if (!value) continue;
    try {
      out.push(/^[a-z]+:\/\//i.test(value) ? new URL(value).host.toLowerCase() : value.toLowerCase());
    } catch {
      // An unparsable value allows nothing.
    }
  }
  return out;
}

/** `host` is `hostname[:port]`; an entry without a port allows every port of that name. */
export function hostAllowed(url: URL, allowed: string[]): boolean {
  const host = url.host.toLowerCase();
  const name = url.hostname.toLowerCase();
  return allowed.some((a) => a === host || a === name);
}

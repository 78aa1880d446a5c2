// The connector contract. This file is bundled into every connector and runs inside the
// sandbox, so it uses nothing but the language: no Node built-ins, no globals beyond ES2022.
export { base64Url, hmacSha256, hmacSha256Hex } from './hmac.js';

const NAME = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;

/**
 * Declares a connector. `run` receives `{ session, config, request, log }` and resolves to
 * "success", "failed" or any other string (an error message); a throw counts as an error.
 */
export function defineConnector(def) {
  if (!def || typeof def !== 'object') throw new TypeError('defineConnector: expected an object');
  if (typeof def.name !== 'string' || !NAME.test(def.name)) throw new TypeError('defineConnector: name must be an npm package name');
  if (typeof def.run !== 'function') throw new TypeError('defineConnector: run must be a function');
  if (def.allowedHosts !== undefined && !Array.isArray(def.allowedHosts)) throw new TypeError('defineConnector: allowedHosts must be an array of hosts');
  return Object.freeze({
    name: def.name,
    version: def.version,
    description: def.description ?? '',
    configSchema: def.configSchema,
    allowedHosts: Object.freeze([...(def.allowedHosts ?? [])]),
    requires: def.requires,
    run: def.run,
  });
}

/** Reads a dotted path (`passport.data.applicant.email`) out of session data; undefined when absent. */
export function pick(value, path) {
  let v = value;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[part];
  }
  return v;
}

import { randomBytes } from 'node:crypto';

/** Prefixed, time-ordered ids (`evt_…`, `cred_…`): sortable as text, unguessable in their tail. */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(16).padStart(12, '0')}${randomBytes(8).toString('hex')}`;
}

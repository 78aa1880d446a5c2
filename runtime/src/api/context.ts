import type { PgBoss } from 'pg-boss';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/env.ts';
import type { Db } from '../db/pool.ts';
import type { AuditWriter } from '../domain/audit-writer.ts';
import type { Verification } from '../domain/credentials.ts';
import type { FileStorage } from '../files/storage.ts';
import type { Logger } from '../log.ts';

export type Deps = {
  db: Db;
  config: Config;
  clock: Clock;
  log: Logger;
  audit: AuditWriter;
  verifyCredential: (key: string, secret: string) => Promise<Verification>;
  isReady: () => Promise<boolean>;
  /** The job queue, where this process has one (connector retries and run-now). */
  queue?: Pick<PgBoss, 'insert'>;
  storage: FileStorage;
};

export type Actor =
  | { kind: 'anonymous' }
  | { kind: 'admin'; id: string }
  | { kind: 'team_admin'; id: string; team: string }
  | { kind: 'credential'; id: string; credentialKind: 'producer' | 'consumer'; platform: string; teams: string[]; scopes: string[] };

/** What the audit row says about the request, filled in as the request learns it. */
export type AuditNote = { team: string | null; sessionId: string | null; code: string | null; actorId: string | null; platform: string | null };

export type AppEnv = {
  Variables: { deps: Deps; requestId: string; actor: Actor; audit: AuditNote; route: string };
};

import type { Clock } from '../clock.ts';
import type { Config } from '../config/env.ts';
import { migrationStatus } from '../db/migrate.ts';
import type { Db } from '../db/pool.ts';
import { createAuditWriter } from '../domain/audit-writer.ts';
import { createCredentialVerifier } from '../domain/credentials.ts';
import { createStorage, type FileStorage } from '../files/storage.ts';
import type { Logger } from '../log.ts';
import type { Deps } from './context.ts';

/** The API's dependencies from its few real inputs; `main` and the tests both build them here. */
export function createApiDeps(input: { db: Db; config: Config; clock: Clock; log: Logger; storage?: FileStorage; queue?: Deps['queue'] }): Deps {
  const { db, config, clock } = input;
  return {
    ...input,
    storage: input.storage ?? createStorage(config),
    audit: createAuditWriter(db),
    verifyCredential: createCredentialVerifier(db, clock, config.SWITCHBOARD_ENV),
    isReady: async () => {
      const s = await migrationStatus(db);
      return s.current === s.expected;
    },
  };
}

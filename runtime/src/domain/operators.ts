import type { Db } from '../db/pool.ts';
import * as store from '../db/store/operators.ts';
import type { OperatorTokenRow } from '../db/store/operators.ts';
import { newId } from './ids.ts';
import { hashSecret, randomSecret } from './secrets.ts';

/**
 * Makes sure an admin can log in: registers SWITCHBOARD_ADMIN_TOKEN (hashed) when given,
 * otherwise generates one on first start and returns it so the caller prints it once.
 * The advisory lock keeps two processes starting together from both generating one.
 */
export async function ensureAdminToken(db: Db, fromEnv: string | undefined): Promise<string | undefined> {
  return db.tx(async (q) => {
    await q.query(`SELECT pg_advisory_xact_lock(hashtext('switchboard:admin-token'))`);
    if (fromEnv) {
      await store.insertOperatorToken(q, { id: 'op_env', role: 'admin', team: null, token_hash: hashSecret(fromEnv), description: 'SWITCHBOARD_ADMIN_TOKEN' });
      return undefined;
    }
    if ((await store.countAdminTokens(q)) > 0) return undefined;
    const token = randomSecret('sbo');
    await store.insertOperatorToken(q, { id: newId('op'), role: 'admin', team: null, token_hash: hashSecret(token), description: 'generated on first start' });
    return token;
  });
}

export async function issueTeamAdminToken(db: Db, team: string, description: string | undefined) {
  const token = randomSecret('sbo');
  const row = await store.insertOperatorToken(db, { id: newId('op'), role: 'team_admin', team, token_hash: hashSecret(token), description: description ?? null });
  return { id: row.id, team, role: row.role, createdAt: row.created_at, token };
}

export async function findOperator(db: Db, token: string): Promise<OperatorTokenRow | undefined> {
  return store.findOperatorToken(db, hashSecret(token));
}

import pg from 'pg';

// int8 (counts, bigserial ids) fits a JS number for every value we produce.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type Row = Record<string, unknown>;
export type Queryable = {
  query<R extends Row = Row>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
};

export type Db = Queryable & {
  pool: pg.Pool;
  /** Runs `fn` in one transaction; rolls back when it throws. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

export const SCHEMA = 'switchboard';

export function createDb(connectionString: string, options: { max?: number; applicationName?: string } = {}): Db {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'switchboard',
    options: `-c search_path=${SCHEMA},public`,
  });
  // An idle client losing its connection (PostgreSQL restart) must not crash the process;
  // the pool replaces it on the next checkout.
  pool.on('error', () => {});
  return {
    pool,
    query: (text, values) => pool.query(text, values),
    async tx(fn) {
      const client = await pool.connect();
      // pg-pool stops listening for errors on a checked-out client: a connection dropped
      // mid-transaction (PostgreSQL restart, pg_terminate_backend) would be an uncaught 'error'
      // and kill the process. Note it instead; the transaction's next query fails, and the
      // broken client is discarded on release.
      let broken: Error | undefined;
      const onError = (err: Error) => void (broken = err);
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        broken ??= error instanceof Error && /terminat|connection/i.test(error.message) ? error : undefined;
        throw error;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

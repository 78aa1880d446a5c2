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
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

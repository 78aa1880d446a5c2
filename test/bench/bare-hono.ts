// Baseline for the pull benchmark: a bare Hono route doing one primary-key SELECT of the same row size.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = new Hono();
app.get('/row/:id', async (c) => {
  const { rows } = await pool.query('SELECT data::text AS data FROM bench_rows WHERE id = $1', [c.req.param('id')]);
  return c.body(`{"id":"${c.req.param('id')}","data":${rows[0].data}}`, 200, { 'content-type': 'application/json' });
});
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.env.PORT) });

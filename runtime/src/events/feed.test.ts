import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/support/database.ts';
import { migrate } from '../db/migrate.ts';
import { createDb, type Db } from '../db/pool.ts';
import { createLogger } from '../log.ts';
import { runFeedOnce, startFeed, type FeedEvent } from './feed.ts';
import { createNotifier } from './notifier.ts';

let db: Db;
let drop: () => Promise<void>;
let url: string;

beforeAll(async () => {
  const database = await createTestDatabase();
  url = database.url;
  drop = database.drop;
  db = createDb(url, { max: 12 });
  await migrate(db);
  await db.query(`INSERT INTO teams (slug, name) VALUES ('t', 'T')`);
});
afterAll(async () => {
  await db.close();
  await drop();
});

let n = 0;
const insertEvent = (q: { query: Db['query'] }) =>
  q.query(`INSERT INTO events (id, type, team, payload, created_at) VALUES ($1, 'test.event', 't', '{}', now())`, [`evt_${++n}`]);

describe('event feed', () => {
  it('does not pass an event whose transaction commits after a later one', async () => {
    const seen: string[] = [];
    const handle = async (_q: unknown, events: FeedEvent[]) => void seen.push(...events.map((e) => e.id));
    await db.query(`INSERT INTO event_cursors (consumer) VALUES ('order') ON CONFLICT DO NOTHING`);

    const slow = await db.pool.connect();
    await slow.query('BEGIN');
    await insertEvent(slow); // lower seq, still uncommitted
    const slowId = `evt_${n}`;
    await insertEvent(db); // higher seq, committed first
    const fastId = `evt_${n}`;

    await runFeedOnce({ db, name: 'order', handle });
    expect(seen).not.toContain(fastId); // held back: the slow transaction could still commit before it

    await slow.query('COMMIT');
    slow.release();
    // The horizon is cluster-wide: other test files' transactions may hold it back a moment.
    await expect.poll(async () => (await runFeedOnce({ db, name: 'order', handle }), seen.length), { timeout: 10_000, interval: 20 }).toBe(2);
    expect(seen).toEqual([slowId, fastId]);
  });

  it('hands every event to exactly one of several competing processes, once', async () => {
    const seen: string[] = [];
    const handle = async (_q: unknown, events: FeedEvent[]) => void seen.push(...events.map((e) => e.id));
    const notifier = createNotifier(url, createLogger('silent'));
    await notifier.start();
    // Two feeds with one name stand for two worker processes sharing the work.
    const feeds = await Promise.all([1, 2].map(() => startFeed({ db, log: createLogger('error'), name: 'exactly-once', handle, notifier, fromNow: true, pollMs: 50, batchSize: 7 })));
    const before = n;
    await Promise.all(Array.from({ length: 20 }, () => Promise.all(Array.from({ length: 10 }, () => insertEvent(db)))));
    const expected = Array.from({ length: n - before }, (_, i) => `evt_${before + i + 1}`);
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(expected.length);
    await Promise.all(feeds.map((f) => f.stop()));
    await notifier.close();
    expect([...seen].sort()).toEqual([...expected].sort());
  });
});

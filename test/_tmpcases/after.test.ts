import { afterAll, it } from 'vitest';
afterAll(() => { throw new Error('boom'); });
it('a', () => {});

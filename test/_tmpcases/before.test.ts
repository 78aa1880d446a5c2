import { beforeAll, it } from 'vitest';
beforeAll(() => { throw new Error('boom'); });
it('a', () => {});
it('b', () => {});

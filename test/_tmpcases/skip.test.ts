import { it } from 'vitest';
it.skip('s', () => {});
it.todo('t');
it('p', () => {});

import './does-not-exist.ts';
import { it } from 'vitest';
it('x', () => {});

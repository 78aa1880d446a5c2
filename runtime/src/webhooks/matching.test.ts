import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globMatches, granted, grantKey, subscriptionMatches, type Subscription } from './matching.ts';

describe('glob matching', () => {
  it.each([
    ['session.*', 'session.submitted', true],
    ['session.*', 'session.', true],
    ['session.*', 'sessions.submitted', false],
    ['session.*', 'webhook.disabled', false],
    ['*', 'anything.at.all', true],
    ['*', '', true],
    ['*.disabled', 'webhook.disabled', true],
    ['*.disabled', 'webhook.enabled', false],
    ['session.submitted', 'session.submitted', true],
    ['session.submitted', 'session.submitted.x', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'acb', false],
    ['ab*ba', 'aba', false],
    ['lambeth-*', 'lambeth-ldc', true],
    ['lambeth-*', 'southwark-ldc', false],
    ['', '', true],
    ['', 'x', false],
  ])('%s against %s → %s', (pattern, value, expected) => {
    expect(globMatches(pattern, value)).toBe(expected);
  });

  const text = fc.string({ unit: fc.constantFrom('a', 'b', '.', '-'), maxLength: 12 });

  it('agrees with the equivalent regular expression', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('a', 'b', '.', '*'), maxLength: 8 }), text, (pattern, value) => {
      const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.]/g, '\\.')).join('.*')}$`, 's');
      expect(globMatches(pattern, value)).toBe(re.test(value));
    }));
  });

  it('a pattern without * matches only itself; * alone matches everything; prefix* matches every extension', () => {
    fc.assert(fc.property(text, text, (a, b) => {
      expect(globMatches(a, b)).toBe(a === b);
      expect(globMatches('*', b)).toBe(true);
      expect(globMatches(`${a}*`, a + b)).toBe(true);
    }));
  });
});

const sub = (s: Partial<Subscription> = {}): Subscription => ({ team: 'lambeth', eventTypes: ['session.*'], flow: '*', teamVariables: {}, ...s });
const ev = { type: 'session.submitted', team: 'lambeth', flow: 'ldc' };

describe('subscription matching', () => {
  it.each([
    ['exact team', sub(), ev, {}, true],
    ['another team', sub({ team: 'southwark' }), ev, {}, false],
    ['all teams', sub({ team: '*' }), ev, {}, true],
    ['type glob misses', sub({ eventTypes: ['webhook.*'] }), ev, {}, false],
    ['one of several type globs', sub({ eventTypes: ['webhook.*', 'session.submitted'] }), ev, {}, true],
    ['flow glob', sub({ flow: 'l*' }), ev, {}, true],
    ['flow glob misses', sub({ flow: 'apply-*' }), ev, {}, false],
    ['flow-less event, flow *', sub({ eventTypes: ['*'] }), { type: 'webhook.disabled', team: 'lambeth', flow: null }, {}, true],
    ['flow-less event, flow glob', sub({ eventTypes: ['*'], flow: 'ldc' }), { type: 'webhook.disabled', team: 'lambeth', flow: null }, {}, false],
    ['variables all hold', sub({ teamVariables: { backOffice: 'bops', region: 'south' } }), ev, { backOffice: 'bops', region: 'south', x: 'y' }, true],
    ['one variable differs', sub({ teamVariables: { backOffice: 'bops', region: 'south' } }), ev, { backOffice: 'bops', region: 'north' }, false],
    ['variable missing', sub({ teamVariables: { backOffice: 'bops' } }), ev, {}, false],
  ] as const)('%s', (_name, s, e, vars, expected) => {
    expect(subscriptionMatches(s, e, vars)).toBe(expected);
  });

  const slug = fc.constantFrom('lambeth', 'southwark', 'camden');
  it("a team's webhook never matches another team's event, whatever its other patterns", () => {
    fc.assert(fc.property(slug, slug, fc.array(fc.constantFrom('*', 'session.*', 'session.submitted'), { minLength: 1 }), fc.constantFrom('*', 'l*', 'ldc'),
      (own, other, eventTypes, flow) => {
        fc.pre(own !== other);
        expect(subscriptionMatches({ team: own, eventTypes, flow, teamVariables: {} }, { type: 'session.submitted', team: other, flow: 'ldc' }, {})).toBe(false);
      }));
  });

  it('adding a variable condition never widens a match', () => {
    const kv = fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('1', '2'));
    fc.assert(fc.property(kv, kv, fc.constantFrom('a', 'b'), fc.constantFrom('1', '2'), (conditions, vars, k, v) => {
      fc.pre(!(k in conditions));
      const before = subscriptionMatches(sub({ teamVariables: conditions }), ev, vars);
      const after = subscriptionMatches(sub({ teamVariables: { ...conditions, [k]: v } }), ev, vars);
      expect(!after || before).toBe(true);
    }));
  });

  it('needs a grant for flow events, none for flow-less ones', () => {
    const grants = new Set([grantKey('lambeth', 'ldc', 'wh_1')]);
    expect(granted(ev, 'wh_1', grants)).toBe(true);
    expect(granted(ev, 'wh_2', grants)).toBe(false);
    expect(granted({ ...ev, team: 'southwark' }, 'wh_1', grants)).toBe(false);
    expect(granted({ ...ev, flow: null }, 'wh_2', grants)).toBe(true);
  });
});

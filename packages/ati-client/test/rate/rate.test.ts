/**
 * Rate-spec grammar, contract §3: `<count>/<unit>`, count an untrimmed
 * unsigned decimal (optional `+`, leading zeros), unit trimmed (Unicode
 * White_Space) and case-sensitive.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenError } from '../../src/errors.ts';
import { formatWindow, parseRateMap, parseRateSpec } from '../../src/rate/rate.ts';

const VALID: Array<[string, number, number]> = [
  ['10/hour', 10, 3600],
  ['1/s', 1, 1],
  ['1/sec', 1, 1],
  ['1/second', 1, 1],
  ['2/m', 2, 60],
  ['2/min', 2, 60],
  ['2/minute', 2, 60],
  ['3/h', 3, 3600],
  ['3/hr', 3, 3600],
  ['4/d', 4, 86400],
  ['4/day', 4, 86400],
  ['0/hour', 0, 3600],
  ['+5/min', 5, 60],
  ['007/ s ', 7, 1],
  ['10/hour\t', 10, 3600],
  ['10/\n\rhour', 10, 3600],
  ['10/\u3000hour\u00a0', 10, 3600],
  ['10/\u0085day\u2028', 10, 86400],
  ['00000000000000000000000001/s', 1, 1],
  ['9007199254740991/s', 9007199254740991, 1],
];

const INVALID: Array<[string, string]> = [
  ['10/hours', 'unknown unit'],
  ['10/Hour', 'units are case-sensitive'],
  ['10/HOUR', 'units are case-sensitive'],
  ['10/week', 'unknown unit'],
  ['10/ms', 'unknown unit'],
  ['10/mins', 'unknown unit'],
  [' 10/hour', 'count is not trimmed'],
  ['10 /hour', 'count is not trimmed'],
  ['\u300010/hour', 'count is not trimmed'],
  ['10', 'no slash'],
  ['10/hour/x', 'three parts'],
  ['10//hour', 'three parts'],
  ['', 'empty'],
  ['/hour', 'empty count'],
  ['10/', 'empty unit'],
  ['10/ ', 'unit is only whitespace'],
  ['-5/min', 'signed count'],
  ['+/min', 'sign without digits'],
  ['++5/min', 'two signs'],
  ['+-5/min', 'two signs'],
  ['1.5/hour', 'fraction'],
  ['1e3/hour', 'exponent'],
  ['0x10/hour', 'hex'],
  ['1_000/hour', 'digit separator'],
  ['\uff11\uff10/hour', 'fullwidth digits'],
  ['\u0661/hour', 'Arabic-Indic digit'],
  ['10/ho ur', 'space inside the unit'],
  ['10/hour\x1f', '\\x1f is not White_Space'],
  ['10/\u200bhour', 'zero-width space is not White_Space'],
  ['10/\ufeffhour', 'BOM is not White_Space'],
  ['10/hour.', 'trailing punctuation'],
  ['10\\hour', 'backslash'],
  ['18446744073709551616/s', 'u64 overflow'],
  ['18446744073709551615/s', 'u64 max: valid for the proxy, refused here (> 2^53 - 1)'],
  ['9007199254740992/s', '2^53: refused here'],
];

describe('parseRateSpec: valid specs', () => {
  for (const [spec, count, windowSeconds] of VALID) {
    it(`${JSON.stringify(spec)} → ${count} per ${windowSeconds}s`, () => {
      const parsed = parseRateSpec(spec);
      assert.deepEqual({ ...parsed }, { count, windowSeconds });
      assert.ok(Object.isFrozen(parsed));
    });
  }
});

describe('parseRateSpec: invalid specs → ERR_RATE_SPEC_INVALID', () => {
  for (const [spec, why] of INVALID) {
    it(`${JSON.stringify(spec)} (${why})`, () => {
      assert.throws(
        () => parseRateSpec(spec),
        (err: unknown) => err instanceof TokenError && err.code === 'ERR_RATE_SPEC_INVALID',
      );
    });
  }
  it('non-string specs', () => {
    for (const spec of [10, null, undefined, { count: 1 }, ['1/s']]) {
      assert.throws(() => parseRateSpec(spec as unknown as string), { code: 'ERR_RATE_SPEC_INVALID' });
    }
  });
});

describe('parseRateMap', () => {
  it('parses every entry into a Map', () => {
    const map = parseRateMap({ 'tool:github:*': '10/hour', 'tool:web_search': '+5/ min' });
    assert.deepEqual(
      [...map].map(([k, v]) => [k, { ...v }]),
      [
        ['tool:github:*', { count: 10, windowSeconds: 3600 }],
        ['tool:web_search', { count: 5, windowSeconds: 60 }],
      ],
    );
    assert.equal(parseRateMap({}).size, 0);
  });

  it('one bad spec fails the whole map and names its pattern (the proxy would drop every limit)', () => {
    assert.throws(
      () => parseRateMap({ 'tool:a': '1/s', 'tool:github:*': '10/hours', 'tool:b': '2/s' }),
      (err: unknown) =>
        err instanceof TokenError &&
        err.code === 'ERR_RATE_SPEC_INVALID' &&
        err.message.includes('"tool:github:*"') &&
        err.message.includes('"10/hours"'),
    );
  });

  it('refuses a map that is not a plain object', () => {
    for (const rate of [null, undefined, 'tool:x=1/s', ['1/s'], 5]) {
      assert.throws(() => parseRateMap(rate as never), { code: 'ERR_RATE_SPEC_INVALID' });
    }
  });

  it('refuses a Map or class instance instead of reading it as empty (no silent loss of every limit)', () => {
    for (const rate of [
      new Map([['tool:x', '1/s']]),
      new Set(['1/s']),
      new Date(0),
      new URLSearchParams('a=1/s'),
    ]) {
      assert.throws(() => parseRateMap(rate as never), { code: 'ERR_RATE_SPEC_INVALID' });
    }
    // Plain and null-prototype objects are fine.
    assert.equal(parseRateMap(Object.assign(Object.create(null), { 'tool:x': '1/s' })).size, 1);
  });
});

describe('formatWindow (the proxy 429 message)', () => {
  const rows: Array<[number, string]> = [
    [1, 'second'],
    [60, 'minute'],
    [3600, 'hour'],
    [86400, 'day'],
    [30, '30s'],
    [7200, '7200s'],
  ];
  for (const [secs, text] of rows) it(`${secs} → ${text}`, () => assert.equal(formatWindow(secs), text));
});

it('rateEntries (the issuer fast path) gives the same verdict and message as parseRateMap', async () => {
  const { rateEntries } = await import('../../src/rate/rate.ts');
  const fcm = (await import('fast-check')).default;
  const units = [
    's',
    'sec',
    'second',
    'm',
    'min',
    'minute',
    'h',
    'hr',
    'hour',
    'd',
    'day',
    'Hour',
    'hours',
    ' h',
    'week',
    '',
  ];
  const spec = fcm.oneof(
    fcm
      .tuple(fcm.stringMatching(/^\+?[0-9]{0,22}$/), fcm.constantFrom(...units))
      .map(([c, u]) => `${c}/${u}`),
    fcm.string({ maxLength: 12 }),
  );
  fcm.assert(
    fcm.property(spec, (s) => {
      const outcome = (f: () => unknown) => {
        try {
          f();
          return 'ok';
        } catch (err) {
          return `${(err as { code?: string }).code}:${(err as Error).message}`;
        }
      };
      assert.equal(
        outcome(() => rateEntries({ p: s })),
        outcome(() => parseRateMap({ p: s })),
      );
    }),
    { numRuns: 5000 },
  );
});

/**
 * issueToken and validateToken refuse bad input before any signing or
 * verifying, with stable codes and without quoting the secret (contract §1.5,
 * §3, §12).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IssueTokenOptions } from '../../src/token/issue.ts';
import { issueToken } from '../../src/token/issue.ts';
import { validateToken } from '../../src/token/validate.ts';
import { SECRET } from '../helpers/constants.ts';
import { assertNoLeak, makeEsKeys, NOW, rejects, validHs } from '../helpers/token.ts';

const keys = makeEsKeys();
const BASE: IssueTokenOptions = {
  secret: SECRET,
  sub: 'agent-7',
  scope: 'tool:web_search',
  now: NOW,
  jti: 'j',
};

async function issueCode(overrides: Record<string, unknown>): Promise<string> {
  const err = await rejects(() => issueToken({ ...BASE, ...overrides } as IssueTokenOptions));
  assertNoLeak(err, [SECRET, keys.privatePem]);
  return err.code;
}

describe('issueToken audience and issuer', () => {
  it('audience / issuer set aud / iss; the deprecated aud / iss still work; both must agree', async () => {
    const t = await issueToken({
      secret: SECRET,
      sub: 's',
      scope: '',
      audience: 'aud-1',
      issuer: 'iss-1',
      now: NOW,
    });
    const c = await validateToken(t, { secret: SECRET, audience: 'aud-1', issuer: 'iss-1', now: NOW });
    assert.deepEqual([c.aud, c.iss], ['aud-1', 'iss-1']);
    const old = await issueToken({
      secret: SECRET,
      sub: 's',
      scope: '',
      aud: 'aud-1',
      iss: 'iss-1',
      now: NOW,
      jti: c.jti,
    });
    assert.equal(old, t);
    const none = await issueToken({ secret: SECRET, sub: 's', scope: '', issuer: null, now: NOW });
    assert.equal((await validateToken(none, { secret: SECRET, now: NOW })).iss, undefined);
    assert.equal(
      (await rejects(() => issueToken({ secret: SECRET, sub: 's', scope: '', audience: 'a', aud: 'b' })))
        .code,
      'ERR_INVALID_ARGUMENT',
    );
    assert.equal(
      (await rejects(() => issueToken({ secret: SECRET, sub: 's', scope: '', issuer: 'a', iss: null }))).code,
      'ERR_INVALID_ARGUMENT',
    );
  });
});

describe('issueToken input checks', () => {
  const secretRows: Array<[string, unknown]> = [
    ['31-byte secret (62 hex)', SECRET.slice(0, 62)],
    ['16-byte secret', SECRET.slice(0, 32)],
    ['empty secret (the proxy would accept a 0-byte key; the SDK refuses)', ''],
    ['odd-length hex', SECRET.slice(0, 63)],
    ['0x prefix', `0x${SECRET}`],
    [
      'whitespace between byte pairs (Python bytes.fromhex accepts it)',
      SECRET.replace(/(..)/g, '$1 ').trim(),
    ],
    ['trailing newline', `${SECRET}\n`],
    ['leading space', ` ${SECRET}`],
    ['non-hex character', `${SECRET.slice(0, 63)}g`],
    ['fullwidth digits', '\uff11'.repeat(64)],
    ['a number', 1234],
    ['a Uint8Array', new Uint8Array(32)],
    ['null', null],
  ];
  for (const [name, secret] of secretRows) {
    it(`secret: ${name} → ERR_KEY_INVALID`, async () => {
      assert.equal(await issueCode({ secret }), 'ERR_KEY_INVALID');
    });
  }

  it('secret: upper-case hex is the same key (strict hex allows A-F)', async () => {
    assert.equal(await issueToken({ ...BASE, secret: SECRET.toUpperCase() }), await issueToken(BASE));
  });

  it('secret: 33+ bytes are accepted', async () => {
    await issueToken({ ...BASE, secret: `${SECRET}00` });
    await issueToken({ ...BASE, secret: 'ab'.repeat(128) });
  });

  const argumentRows: Array<[string, Record<string, unknown>]> = [
    ['both secret and privateKey', { privateKey: keys.privatePem }],
    ['neither secret nor privateKey', { secret: undefined }],
    ['empty sub', { sub: '' }],
    ['sub not a string', { sub: 7 }],
    ['sub missing', { sub: undefined }],
    ['lone surrogate in sub', { sub: 'agent-\ud800' }],
    ['lone low surrogate in sub', { sub: '\udc00' }],
    ['lone surrogate in scope', { scope: 'tool:\udfff' }],
    ['lone surrogate in aud', { aud: '\ud83d' }],
    ['lone surrogate in jti', { jti: 'x\ud800y' }],
    ['lone surrogate in iss', { iss: '\ud800' }],
    ['lone surrogate in a rate pattern', { rate: { 'tool:\ud800': '1/s' } }],
    ['lone surrogate in jobId', { jobId: '\ud800' }],
    ['scope not a string', { scope: ['tool:x'] }],
    ['scope missing', { scope: undefined }],
    ['aud not a string', { aud: ['ati-proxy'] }],
    ['ttlSeconds 0', { ttlSeconds: 0 }],
    ['ttlSeconds -1', { ttlSeconds: -1 }],
    ['ttlSeconds 1.5', { ttlSeconds: 1.5 }],
    ['ttlSeconds NaN', { ttlSeconds: Number.NaN }],
    ['ttlSeconds Infinity', { ttlSeconds: Number.POSITIVE_INFINITY }],
    ['ttlSeconds as a string', { ttlSeconds: '60' }],
    ['ttlSeconds beyond 2^53', { ttlSeconds: 2 ** 53 }],
    ['now NaN', { now: Number.NaN }],
    ['now negative', { now: -1 }],
    ['now as a string', { now: String(NOW) }],
    ['iat + ttl beyond 2^53 - 1', { now: Number.MAX_SAFE_INTEGER - 10, ttlSeconds: 11 }],
  ];
  for (const [name, overrides] of argumentRows) {
    it(`${name} → ERR_INVALID_ARGUMENT`, async () => {
      assert.equal(await issueCode(overrides), 'ERR_INVALID_ARGUMENT');
    });
  }

  it('options that are not an object → ERR_INVALID_ARGUMENT', async () => {
    for (const bad of [null, undefined, 'secret', 42]) {
      const err = await rejects(() => issueToken(bad as unknown as IssueTokenOptions));
      assert.equal(err.code, 'ERR_INVALID_ARGUMENT');
    }
  });

  it('accepted edges: ttl 1, unicode claims, empty scope, empty aud, rate count 0', async () => {
    const token = await issueToken({
      ...BASE,
      ttlSeconds: 1,
      sub: 'agént-\u{1f600}',
      scope: '',
      aud: '',
      rate: { 'tool:x': '0/day' },
    });
    const c = await validateToken(token, { secret: SECRET, audience: '', now: NOW });
    assert.equal(c.sub, 'agént-\u{1f600}');
    assert.equal(c.exp, NOW + 1);
    // serde_json emits raw UTF-8 (contract §1.3); so do we.
    assert.ok(Buffer.from(token.split('.')[1]!, 'base64url').toString().includes('agént-\u{1f600}'));
  });
});

describe('issueToken rate specs (contract §3)', () => {
  const bad = [
    '10/hours',
    '10/Hour',
    '10/week',
    ' 10/hour',
    '10',
    '10/hour/x',
    '',
    '-5/min',
    '1.5/hour',
    '10/',
  ];
  for (const spec of bad) {
    it(`refuses ${JSON.stringify(spec)} and names its pattern`, async () => {
      const err = await rejects(() =>
        issueToken({ ...BASE, rate: { 'tool:web_search': '5/min', 'tool:github:*': spec } }),
      );
      assert.equal(err.code, 'ERR_RATE_SPEC_INVALID');
      assert.ok(err.message.includes('"tool:github:*"'), err.message);
      // Said once: the message once read 'Invalid rate spec for …: Invalid rate spec …'.
      assert.equal(err.message.split('Invalid rate spec').length, 2, err.message);
      assert.ok(err.message.includes(JSON.stringify(spec)), err.message);
      assertNoLeak(err, [SECRET]);
    });
  }

  it('refuses a non-string spec and a non-object rate map', async () => {
    for (const rate of [{ 'tool:x': 5 }, ['1/s'], 'tool:x=1/s', null, new Map([['tool:x', '1/s']])]) {
      const err = await rejects(() => issueToken({ ...BASE, rate } as unknown as IssueTokenOptions));
      assert.equal(err.code, 'ERR_RATE_SPEC_INVALID', JSON.stringify(rate));
    }
  });

  it('accepts the grammar’s odd but valid forms verbatim', async () => {
    const rate = { a: '+5/min', b: '007/ s ', c: '0/d', d: '10/hr' };
    const token = await issueToken({ ...BASE, rate });
    assert.deepEqual((await validateToken(token, { secret: SECRET, now: NOW })).ati?.rate, rate);
  });

  it('an empty rate map omits ati.rate', async () => {
    const token = await issueToken({ ...BASE, rate: {} });
    assert.ok(Buffer.from(token.split('.')[1]!, 'base64url').toString().endsWith('"ati":{"v":1}}'));
  });
});

describe('validateToken option checks', () => {
  const token = validHs();
  const rows: Array<[string, Record<string, unknown>, string]> = [
    ['both secret and publicKey', { secret: SECRET, publicKey: keys.publicPem }, 'ERR_INVALID_ARGUMENT'],
    ['neither secret nor publicKey', {}, 'ERR_INVALID_ARGUMENT'],
    ['leeway -1', { secret: SECRET, leeway: -1 }, 'ERR_INVALID_ARGUMENT'],
    ['leeway 1.5', { secret: SECRET, leeway: 1.5 }, 'ERR_INVALID_ARGUMENT'],
    ['now NaN', { secret: SECRET, now: Number.NaN }, 'ERR_INVALID_ARGUMENT'],
    ['now Infinity', { secret: SECRET, now: Number.POSITIVE_INFINITY }, 'ERR_INVALID_ARGUMENT'],
    ['maxTokenLength -1', { secret: SECRET, maxTokenLength: -1 }, 'ERR_INVALID_ARGUMENT'],
    ['short secret', { secret: SECRET.slice(0, 62) }, 'ERR_KEY_INVALID'],
    ['secret with 0x', { secret: `0x${SECRET}` }, 'ERR_KEY_INVALID'],
    ['secret not a string', { secret: 5 }, 'ERR_KEY_INVALID'],
  ];
  for (const [name, options, code] of rows) {
    it(`${name} → ${code}`, async () => {
      const err = await rejects(() => validateToken(token, { now: NOW, ...options } as never));
      assert.equal(err.code, code);
      assertNoLeak(err, [SECRET, token]);
    });
  }

  it('options that are not an object → ERR_INVALID_ARGUMENT', async () => {
    for (const bad of [null, undefined, 'x']) {
      assert.equal((await rejects(() => validateToken(token, bad as never))).code, 'ERR_INVALID_ARGUMENT');
    }
  });
});

it('a non-string secret (even a Symbol) is ERR_KEY_INVALID, not a TypeError', async () => {
  const { validateToken: validate } = await import('../../src/token/validate.ts');
  const { issueToken: issue } = await import('../../src/token/issue.ts');
  const token = await issue({ secret: 'ab'.repeat(32), sub: 's', scope: '' });
  for (const secret of [Symbol('s'), 42, {}, null]) {
    await assert.rejects(
      validate(token, { secret: secret as never }),
      (err: unknown) => err instanceof Error && 'code' in err && err.code === 'ERR_KEY_INVALID',
      String(secret),
    );
  }
});

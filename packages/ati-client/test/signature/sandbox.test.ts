/**
 * Sandbox request signatures (contract §7): the contract's vectors, the
 * proxy's verdict for a table of hostile headers (following
 * `core/sig_verify.rs` step by step), and sign → verify properties, on both
 * crypto backends.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AtiError } from '../../src/errors.ts';
import { nodeCryptoBackend } from '../../src/jws/backend-node.ts';
import { webCryptoBackend } from '../../src/jws/backend-web.ts';
import {
  type SandboxSignatureVerdict,
  signSandboxRequest,
  verifySandboxSignature,
} from '../../src/signature/sandbox.ts';

const BACKENDS = [nodeCryptoBackend, webCryptoBackend];
const SECRET = 'shh-its-a-secret';
const T = 1_700_000_000;

function mac(secret: Buffer | string, message: string): string {
  return createHmac('sha256', secret).update(message).digest('hex');
}

describe('contract §7 vectors', () => {
  for (const crypto of BACKENDS) {
    it(`${crypto.name}: both vectors, signed and verified`, async () => {
      const a = await signSandboxRequest({
        secret: SECRET,
        method: 'POST',
        path: '/v1/chat',
        timestamp: T,
        crypto,
      });
      assert.equal(a, 't=1700000000,s=b1af5e21094d6f7fa6c6bc735fffd4860ff29dc594089bf3731815f54d38245d');
      // Keyring value `abcd1234` is valid hex: the key is the four bytes ab cd 12 34.
      const b = await signSandboxRequest({
        secret: 'abcd1234',
        method: 'GET',
        path: '/call',
        timestamp: T,
        crypto,
      });
      assert.equal(b, 't=1700000000,s=aaa04b1f5e1dbd52a6abced8e7675168440c0531c935592b3d6acee09bf875b4');
      for (const [header, secret, method, path] of [
        [a, SECRET, 'POST', '/v1/chat'],
        [b, 'abcd1234', 'GET', '/call'],
      ] as const) {
        assert.equal(
          await verifySandboxSignature(header, { secret, method, path, now: T + 5, crypto }),
          'valid',
        );
      }
    });
  }
});

describe('verdicts, step by step as the proxy takes them', () => {
  const good = mac(SECRET, `${T}.GET./x`);
  const rows: Array<
    [
      string,
      string | null | undefined,
      SandboxSignatureVerdict,
      { now?: number; secret?: string | undefined }?,
    ]
  > = [
    ['absent', undefined, 'missing_signature'],
    ['null', null, 'missing_signature'],
    ['empty', '', 'missing_signature'],
    ['non-ASCII (unreadable as a header string)', `t=${T},s=${good}\u00e9`, 'missing_signature'],
    ['a newline', `t=${T},\ns=${good}`, 'missing_signature'],
    ['no pairs', 'garbage', 'malformed_signature'],
    ['only t', `t=${T}`, 'malformed_signature'],
    ['only s', `s=${good}`, 'malformed_signature'],
    ['empty values', 't=,s=', 'malformed_signature'],
    ['empty t', `t=,s=${good}`, 'malformed_signature'],
    ['an empty segment', `t=${T},,s=${good}`, 'malformed_signature'],
    ['a segment without =', `t=${T},s=${good},v1`, 'malformed_signature'],
    ['t not a number', 't=abc,s=deadbeef', 'invalid_timestamp'],
    ['t a float', `t=${T}.0,s=${good}`, 'invalid_timestamp'],
    ['t hex', 't=0x10,s=deadbeef', 'invalid_timestamp'],
    ['t just a sign', 't=-,s=deadbeef', 'invalid_timestamp'],
    ['t above i64', 't=9223372036854775808,s=deadbeef', 'invalid_timestamp'],
    ['t with inner space', `t=17 00,s=${good}`, 'invalid_timestamp'],
    ['120 s behind', `t=${T},s=${good}`, 'expired_timestamp_drift=120s', { now: T + 120 }],
    ['61 s ahead', `t=${T},s=${good}`, 'expired_timestamp_drift=61s', { now: T - 61 }],
    [
      // The proxy's i64 arithmetic wraps (release build): now − i64::MIN overflows to a negative, whose abs is the drift.
      't = i64 min',
      `t=-9223372036854775808,s=${good}`,
      `expired_timestamp_drift=${9223372036854775808n - BigInt(T)}s`,
    ],
    // At exactly now − 2^63 the difference is i64::MIN, whose abs stays negative: the drift check passes.
    [
      't = now − 2^63 (wraps past the drift check, as in the proxy)',
      `t=${BigInt(T) - 2n ** 63n},s=${mac(SECRET, `${BigInt(T) - 2n ** 63n}.GET./x`)}`,
      'valid',
    ],
    [
      'drift checked before the secret',
      `t=1,s=${good}`,
      `expired_timestamp_drift=${T - 1}s`,
      { secret: undefined },
    ],
    ['no secret configured', `t=${T},s=${good}`, 'no_signing_secret_configured', { secret: undefined }],
    ['an empty secret', `t=${T},s=${good}`, 'no_signing_secret_configured', { secret: '' }],
    ['s not hex', `t=${T},s=not-hex-at-all`, 'malformed_signature'],
    ['s odd length', `t=${T},s=${good.slice(1)}`, 'malformed_signature'],
    ['s a truncated MAC', `t=${T},s=${good.slice(2)}`, 'hmac_mismatch'],
    ['s with a byte more', `t=${T},s=${good}00`, 'hmac_mismatch'],
    ['s one bit off', `t=${T},s=${good.slice(0, -1)}${good.endsWith('0') ? '1' : '0'}`, 'hmac_mismatch'],
    ['s for another path', `t=${T},s=${mac(SECRET, `${T}.GET./y`)}`, 'hmac_mismatch'],
    ['s for another method', `t=${T},s=${mac(SECRET, `${T}.POST./x`)}`, 'hmac_mismatch'],
    ['s with another key', `t=${T},s=${mac('other', `${T}.GET./x`)}`, 'hmac_mismatch'],
    ['valid', `t=${T},s=${good}`, 'valid'],
    ['60 s behind (the boundary is accepted)', `t=${T},s=${good}`, 'valid', { now: T + 60 }],
    ['60 s ahead', `t=${T},s=${good}`, 'valid', { now: T - 60 }],
    ['uppercase hex', `t=${T},s=${good.toUpperCase()}`, 'valid'],
    ['spaces and tabs around pairs and =', ` t = ${T} ,\ts\t=\t${good} `, 'valid'],
    ['s before t, unknown keys ignored', `v=2,s=${good},x=,t=${T}`, 'valid'],
    ['the last duplicate wins', `t=1,s=00,t=${T},s=${good}`, 'valid'],
    ['a value holding =', `t=${T},s=${good},k=a=b`, 'valid'],
    ['t as sent (+ sign) is what was signed', `t=+${T},s=${mac(SECRET, `+${T}.GET./x`)}`, 'valid'],
    ['t re-spelled after signing', `t=+${T},s=${good}`, 'hmac_mismatch'],
  ];
  for (const crypto of BACKENDS) {
    for (const [name, header, expected, over] of rows) {
      it(`${crypto.name}: ${name} → ${expected}`, async () => {
        const secret = over !== undefined && 'secret' in over ? over.secret : SECRET;
        const verdict = await verifySandboxSignature(header, {
          secret,
          method: 'GET',
          path: '/x',
          now: over?.now ?? T,
          crypto,
        });
        assert.equal(verdict, expected);
      });
    }
  }

  it('driftSeconds replaces the 60 s window', async () => {
    const header = `t=${T},s=${good}`;
    const o = { secret: SECRET, method: 'GET', path: '/x' };
    assert.equal(await verifySandboxSignature(header, { ...o, now: T + 10, driftSeconds: 10 }), 'valid');
    assert.equal(
      await verifySandboxSignature(header, { ...o, now: T + 11, driftSeconds: 10 }),
      'expired_timestamp_drift=11s',
    );
    assert.equal(await verifySandboxSignature(header, { ...o, now: T, driftSeconds: 0 }), 'valid');
  });
});

describe('sign → verify', () => {
  const method = fc.constantFrom('GET', 'POST', 'HEAD', 'PATCH');
  const path = fc
    .array(fc.stringMatching(/^[A-Za-z0-9%._~:@!$&'()*+,;=-]{0,12}$/), { minLength: 1, maxLength: 4 })
    .map((parts) => `/${parts.join('/')}`);
  const secret = fc.oneof(
    fc.string({ minLength: 1, maxLength: 40 }),
    fc.uint8Array({ minLength: 1, maxLength: 80 }).map((b) => Buffer.from(b).toString('hex')),
  );

  it('a signature verifies for its own method, path and secret, within the drift', async () => {
    await fc.assert(
      fc.asyncProperty(method, path, secret, fc.integer({ min: -60, max: 60 }), async (m, p, s, skew) => {
        const header = await signSandboxRequest({ secret: s, method: m, path: p, timestamp: T });
        assert.match(header, /^t=1700000000,s=[0-9a-f]{64}$/);
        assert.equal(
          await verifySandboxSignature(header, { secret: s, method: m, path: p, now: T + skew }),
          'valid',
        );
      }),
      { numRuns: 100 },
    );
  });

  it('changing one hex digit of s never verifies', async () => {
    const header = await signSandboxRequest({ secret: SECRET, method: 'POST', path: '/call', timestamp: T });
    const s = header.slice(header.indexOf('s=') + 2);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 1, max: 15 }), async (i, d) => {
        const digit = ((Number.parseInt(s[i]!, 16) + d) % 16).toString(16);
        const forged = `t=${T},s=${s.slice(0, i)}${digit}${s.slice(i + 1)}`;
        const verdict = await verifySandboxSignature(forged, {
          secret: SECRET,
          method: 'POST',
          path: '/call',
          now: T,
        });
        assert.equal(verdict, 'hmac_mismatch');
      }),
      { numRuns: 100 },
    );
  });

  it('non-ASCII in the path is signed as its UTF-8 bytes, as the proxy hashes the string', async () => {
    const header = await signSandboxRequest({
      secret: SECRET,
      method: 'GET',
      path: '/tools/é',
      timestamp: T,
    });
    assert.equal(header, `t=${T},s=${mac(SECRET, `${T}.GET./tools/é`)}`);
  });
});

describe('bad arguments', () => {
  const base = { secret: SECRET, method: 'GET', path: '/x', timestamp: T };
  for (const [name, over] of [
    ['an empty secret', { secret: '' }],
    ['an empty byte secret', { secret: new Uint8Array(0) }],
    ['a secret of the wrong type', { secret: 42 }],
    ['a method with a space', { method: 'GET X' }],
    ['an empty method', { method: '' }],
    ['a path without /', { path: 'x' }],
    ['a path with a query', { path: '/x?a=1' }],
    ['a path with a fragment', { path: '/x#a' }],
    ['a path with whitespace', { path: '/x y' }],
    ['a path with a NUL', { path: '/x\u0000y' }],
    ['a path with DEL', { path: '/x\u007f' }],
    ['a NaN timestamp', { timestamp: Number.NaN }],
    ['a timestamp that would print as 1e+21', { timestamp: 1e21 }],
    ['a timestamp beyond 2^53', { timestamp: 2 ** 53 }],
  ] as const) {
    it(`signSandboxRequest refuses ${name} (ERR_INVALID_ARGUMENT), without quoting the secret`, async () => {
      await assert.rejects(
        () => signSandboxRequest({ ...base, ...over } as unknown as Parameters<typeof signSandboxRequest>[0]),
        (err: unknown) =>
          err instanceof AtiError && err.code === 'ERR_INVALID_ARGUMENT' && !err.message.includes(SECRET),
      );
    });
  }

  it('verifySandboxSignature refuses bad options, never a bad header', async () => {
    for (const over of [{ driftSeconds: -1 }, { driftSeconds: 1.5 }, { now: Number.NaN }, { method: 1 }]) {
      await assert.rejects(
        () =>
          verifySandboxSignature('t=1,s=00', {
            secret: SECRET,
            method: 'GET',
            path: '/x',
            ...over,
          } as unknown as Parameters<typeof verifySandboxSignature>[1]),
        (err: unknown) => err instanceof AtiError && err.code === 'ERR_INVALID_ARGUMENT',
      );
    }
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (header) => {
        const v = await verifySandboxSignature(header, { secret: SECRET, method: 'GET', path: '/x', now: T });
        assert.notEqual(v, 'valid');
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * Backend parity (STYLE habit 6): the same issue/validate suite on the
 * node:crypto and Web Crypto backends, tokens crossing between them, and
 * every ES256 key form (PEM, JWK, standard JWKS, the proxy's x5c-only JWKS,
 * contract §1.6).
 */
import assert from 'node:assert/strict';
import { createECDH, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import vm from 'node:vm';
import type { CryptoBackend } from '../../src/jws/backend.ts';
import { generateKeyPair, type JwkLike, type Jwks, toJwks } from '../../src/jws/keys.ts';
import { inspectToken } from '../../src/token/inspect.ts';
import { issueToken } from '../../src/token/issue.ts';
import { validateToken } from '../../src/token/validate.ts';
import { SECRET } from '../helpers/constants.ts';
import { assertNoLeak, BACKENDS, b64u, makeEsKeys, NOW, rejects } from '../helpers/token.ts';

const keys = makeEsKeys();
const other = makeEsKeys();
const BASE = { sub: 'agent-7', scope: 'tool:web_search tool:github:*', now: NOW } as const;

/** Contract §1.6: the proxy's JWKS `x5c[0]` for private scalar 1 (public point = the P-256 generator). */
const SCALAR_ONE_X5C =
  'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEaxfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpZP40Li/hp/m47n60p8D54WK84zV2sxXs7LtkBoN79R9Q==';

function scalarOne(): { privateJwk: JwkLike; publicJwk: JwkLike } {
  const d = Buffer.alloc(32);
  d[31] = 1;
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  const point = ecdh.getPublicKey(); // 04 ‖ x ‖ y
  const publicJwk = { kty: 'EC', crv: 'P-256', x: b64u(point.subarray(1, 33)), y: b64u(point.subarray(33)) };
  return { privateJwk: { ...publicJwk, d: b64u(d) }, publicJwk };
}

function header(token: string): string {
  return Buffer.from(token.split('.')[0]!, 'base64url').toString();
}

/** Every accepted ES256 public-key form for `pem`. */
function publicForms(pem: string, jwk: JsonWebKey): Array<[string, string | JwkLike | Jwks]> {
  return [
    ['SPKI PEM', pem],
    ['SPKI PEM with CRLF line ends', pem.replaceAll('\n', '\r\n')],
    ['public JWK (node export)', jwk as JwkLike],
    ['standard JWKS', toJwks(pem, { format: 'standard' })],
    ["proxy JWKS (x5c only, format 'ati')", toJwks(pem, { format: 'ati' })],
    ["JWKS format 'both'", toJwks(pem)],
    ['a single JWK from toJwks', toJwks(pem, { format: 'standard' }).keys[0]!],
    ['the x5c-only JWK alone', toJwks(pem, { format: 'ati' }).keys[0]!],
  ];
}

function suite(backend: CryptoBackend): void {
  const crypto = backend;

  it('HS256: issue → validate round-trips every claim', async () => {
    const token = await issueToken({
      ...BASE,
      secret: SECRET,
      rate: { 'tool:github:*': '10/hour', 'tool:web_search': '+5/ min' },
      jobId: 'job-1',
      sandboxId: 'sb-1',
      crypto,
    });
    assert.equal(header(token), '{"typ":"JWT","alg":"HS256"}');
    assert.equal(token.split('.')[2]!.length, 43);
    const claims = await validateToken(token, { secret: SECRET, now: NOW, crypto });
    assert.equal(claims.sub, 'agent-7');
    assert.equal(claims.aud, 'ati-proxy');
    assert.equal(claims.iss, 'ati-orchestrator');
    assert.equal(claims.iat, NOW);
    assert.equal(claims.exp, NOW + 3600);
    assert.match(claims.jti ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual(claims.ati, {
      v: 1,
      rate: { 'tool:github:*': '10/hour', 'tool:web_search': '+5/ min' },
    });
    assert.equal(claims.job_id, 'job-1');
    assert.equal(claims.sandbox_id, 'sb-1');
    assert.deepEqual(Object.keys(claims.toJSON()), [
      'iss',
      'sub',
      'aud',
      'iat',
      'exp',
      'jti',
      'scope',
      'ati',
      'job_id',
      'sandbox_id',
    ]);
  });

  it('HS256: options shape the claims (aud, iss null, jti "", ttl, fractional now floored)', async () => {
    const token = await issueToken({
      secret: SECRET,
      sub: 'a',
      scope: '',
      aud: 'staging',
      iss: null,
      jti: '',
      ttlSeconds: 5,
      now: NOW + 0.999,
      crypto,
    });
    const c = await validateToken(token, { secret: SECRET, audience: 'staging', now: NOW, crypto });
    assert.equal(c.iss, undefined);
    assert.equal(c.iat, NOW);
    assert.equal(c.exp, NOW + 5);
    assert.equal(c.scope, '');
    assert.equal(c.jti?.length, 36);
    assert.deepEqual(c.ati, { v: 1, rate: {} });
    assert.equal(JSON.stringify(c.toJSON().ati), '{"v":1}');
  });

  it('HS256: expiry boundary is exp + leeway inclusive', async () => {
    const token = await issueToken({ ...BASE, secret: SECRET, ttlSeconds: 10, crypto });
    await validateToken(token, { secret: SECRET, now: NOW + 70, crypto });
    assert.equal(
      (await rejects(() => validateToken(token, { secret: SECRET, now: NOW + 71, crypto }))).code,
      'ERR_JWT_EXPIRED',
    );
    await validateToken(token, { secret: SECRET, now: NOW + 10, leeway: 0, crypto });
    assert.equal(
      (await rejects(() => validateToken(token, { secret: SECRET, now: NOW + 11, leeway: 0, crypto }))).code,
      'ERR_JWT_EXPIRED',
    );
  });

  it('ES256 (PKCS#8 PEM): validates with every public key form', async () => {
    const token = await issueToken({ ...BASE, privateKey: keys.privatePem, crypto });
    assert.equal(header(token), '{"typ":"JWT","alg":"ES256"}');
    assert.equal(token.split('.')[2]!.length, 86);
    for (const [name, publicKey] of publicForms(keys.publicPem, keys.publicJwk)) {
      const c = await validateToken(token, { publicKey, now: NOW, crypto });
      assert.equal(c.sub, 'agent-7', name);
    }
  });

  it('ES256 (private JWK): validates; the other key pair refuses it', async () => {
    const token = await issueToken({ ...BASE, privateKey: keys.privateJwk as JwkLike, crypto });
    await validateToken(token, { publicKey: keys.publicPem, now: NOW, crypto });
    for (const [name, publicKey] of publicForms(other.publicPem, other.publicJwk)) {
      const err = await rejects(() => validateToken(token, { publicKey, now: NOW, crypto }));
      assert.equal(err.code, 'ERR_JWT_SIGNATURE_INVALID', name);
    }
  });

  it('ES256: a JWKS with several keys is searched, kid first', async () => {
    const jwks: Jwks = {
      keys: [
        ...toJwks(other.publicPem, { kid: 'old', format: 'standard' }).keys,
        ...toJwks(keys.publicPem, { kid: 'new', format: 'standard' }).keys,
      ],
    };
    const token = await issueToken({ ...BASE, privateKey: keys.privatePem, crypto });
    await validateToken(token, { publicKey: jwks, now: NOW, crypto });
  });

  it('generateKeyPair: 64-column PEMs with final newline that issue and validate', async () => {
    const pair = await generateKeyPair({ crypto });
    for (const [pem, label] of [
      [pair.privateKey, 'PRIVATE KEY'],
      [pair.publicKey, 'PUBLIC KEY'],
    ] as const) {
      const lines = pem.split('\n');
      assert.equal(lines[0], `-----BEGIN ${label}-----`);
      assert.equal(lines.at(-2), `-----END ${label}-----`);
      assert.equal(lines.at(-1), '');
      for (const l of lines.slice(1, -3)) assert.equal(l.length, 64);
    }
    // node:crypto reads both, so they are standard PKCS#8 / SPKI.
    assert.equal(createPublicKey(pair.publicKey).asymmetricKeyDetails?.namedCurve, 'prime256v1');
    const token = await issueToken({ ...BASE, privateKey: pair.privateKey, crypto });
    await validateToken(token, { publicKey: pair.publicKey, now: NOW, crypto });
    await validateToken(token, { publicKey: toJwks(pair.publicKey, { format: 'ati' }), now: NOW, crypto });
  });

  it('contract §1.6: private scalar 1 → x5c[0] is the given SPKI, and tokens round-trip through it', async () => {
    const { privateJwk, publicJwk } = scalarOne();
    const jwks = toJwks(publicJwk, { format: 'ati' });
    assert.equal(
      JSON.stringify(jwks),
      `{"keys":[{"alg":"ES256","kid":"ati-proxy-1","kty":"EC","use":"sig","x5c":["${SCALAR_ONE_X5C}"]}]}`,
    );
    const token = await issueToken({ ...BASE, privateKey: privateJwk, crypto });
    await validateToken(token, { publicKey: jwks, now: NOW, crypto });
    await validateToken(token, { publicKey: { keys: [{ x5c: [SCALAR_ONE_X5C] }] }, now: NOW, crypto });
  });

  it('key inputs the proxy refuses are ERR_KEY_INVALID, without quoting the key', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const p384Pub = p384.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const rsaPub = rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const p384Priv = p384.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const compressed = createECDH('prime256v1');
    compressed.generateKeys();
    const compressedSpki = Buffer.concat([
      Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex'),
      compressed.getPublicKey(undefined, 'compressed'),
    ]);
    const token = await issueToken({ ...BASE, privateKey: keys.privatePem, crypto });
    const badPublic: Array<[string, unknown]> = [
      ['private PKCS#8 PEM as public key', keys.privatePem],
      ['SEC1 private PEM as public key', keys.sec1Pem],
      ['private JWK as public key', keys.privateJwk],
      ['P-384 SPKI', p384Pub],
      ['RSA SPKI', rsaPub],
      [
        'compressed P-256 point',
        `-----BEGIN PUBLIC KEY-----\n${compressedSpki.toString('base64')}\n-----END PUBLIC KEY-----\n`,
      ],
      ['PEM with a broken body', keys.publicPem.replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!')],
      [
        'PEM body truncated',
        keys.publicPem.split('\n').slice(0, 2).concat('-----END PUBLIC KEY-----').join('\n'),
      ],
      ['not a PEM', 'hello'],
      ['empty JWKS', { keys: [] }],
      ['JWKS with only an RS256 key', { keys: [{ ...keys.publicJwk, alg: 'RS256' }] }],
      [
        'x5c in url-safe base64',
        {
          keys: [
            // The contract §1.6 scalar-1 key, whose base64 holds '/' (a random key may hold neither '+' nor '/').
            {
              x5c: [
                'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEaxfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpZP40Li/hp/m47n60p8D54WK84zV2sxXs7LtkBoN79R9Q=='
                  .replaceAll('+', '-')
                  .replaceAll('/', '_'),
              ],
            },
          ],
        },
      ],
      [
        'x5c is a P-384 key',
        { keys: [{ x5c: [p384.publicKey.export({ format: 'der', type: 'spki' }).toString('base64')] }] },
      ],
      ['JWK with a short x', { ...keys.publicJwk, x: 'AAAA' }],
      ['JWK on curve P-384', { ...keys.publicJwk, crv: 'P-384' }],
      ['JWK point not on the curve', { ...keys.publicJwk, y: b64u(Buffer.alloc(32, 1)) }],
      ['a number', 42],
      ['null', null],
    ];
    for (const [name, publicKey] of badPublic) {
      const err = await rejects(() =>
        validateToken(token, { publicKey: publicKey as string, now: NOW, crypto }),
      );
      assert.equal(err.code, 'ERR_KEY_INVALID', name);
      assertNoLeak(err, [keys.privatePem, keys.publicPem, token, String(keys.privateJwk.d)]);
    }
    const badPrivate: Array<[string, unknown]> = [
      ['SEC1 "EC PRIVATE KEY" PEM', keys.sec1Pem],
      ['SPKI public PEM', keys.publicPem],
      ['P-384 PKCS#8', p384Priv],
      ['public JWK', keys.publicJwk],
      ['JWK with a short d', { ...keys.privateJwk, d: 'AAAA' }],
      ['not a PEM', 'hello'],
    ];
    for (const [name, privateKey] of badPrivate) {
      const err = await rejects(() => issueToken({ ...BASE, privateKey: privateKey as string, crypto }));
      assert.equal(err.code, 'ERR_KEY_INVALID', name);
      assertNoLeak(err, [keys.privatePem, String(keys.privateJwk.d)]);
    }
  });
}

for (const backend of BACKENDS) {
  describe(`backend ${backend.name}`, () => suite(backend));
}

describe('tokens cross between backends', () => {
  for (const signer of BACKENDS) {
    for (const verifier of BACKENDS) {
      if (signer === verifier) continue;
      it(`HS256 and ES256 signed on ${signer.name} validate on ${verifier.name}`, async () => {
        const hs = await issueToken({ ...BASE, secret: SECRET, jti: 'j', crypto: signer });
        const es = await issueToken({ ...BASE, privateKey: keys.privatePem, jti: 'j', crypto: signer });
        const a = await validateToken(hs, { secret: SECRET, now: NOW, crypto: verifier });
        const b = await validateToken(es, { publicKey: toJwks(keys.publicPem), now: NOW, crypto: verifier });
        assert.deepEqual(a.toJSON(), b.toJSON());
        assert.deepEqual(inspectToken(es).toJSON(), a.toJSON());
      });
    }
  }

  it('HS256 is deterministic: both backends issue the same bytes', async () => {
    const [a, b] = await Promise.all(
      BACKENDS.map((crypto) => issueToken({ ...BASE, secret: SECRET, jti: 'j', crypto })),
    );
    assert.equal(a, b);
  });
});

describe('a custom CryptoBackend that breaks the contract fails closed', () => {
  /** The node backend, with its HMAC methods answering outside the interface (bytes, as an earlier draft of it said). */
  function bytesBackend(answer: (mac: string) => unknown): CryptoBackend {
    const base = BACKENDS.find((b) => b.name === 'node')!;
    return {
      ...base,
      name: 'custom',
      hmacSign: (key, data) => answer(base.hmacSign(key, data) as string) as string,
      hmacVerify: (key, data, sig) => answer(String(base.hmacVerify(key, data, sig))) as boolean,
    };
  }

  it('issueToken refuses an HMAC that is not a 43-character base64url string (ERR_INVALID_ARGUMENT)', async () => {
    for (const answer of [
      (mac: string) => Buffer.from(mac, 'base64url'), // bytes, as the interface once said
      (mac: string) => Promise.resolve(Buffer.from(mac, 'base64url')),
      (mac: string) => `${mac}=`,
      (mac: string) => mac.slice(1),
      // Standard base64 without padding: also 43 characters, but '+' and '/' (and then a wrong last character).
      (mac: string) => `+/${mac.slice(2)}`,
      (mac: string) => `${mac.slice(0, 42)}B`,
      () => undefined,
    ]) {
      const err = await rejects(() => issueToken({ ...BASE, secret: SECRET, crypto: bytesBackend(answer) }));
      assert.equal(err.code, 'ERR_INVALID_ARGUMENT');
      assertNoLeak(err, [SECRET]);
    }
  });

  it('a promise from another realm is awaited, both ways (not mistaken for a value)', async () => {
    const foreign = vm.runInNewContext('(v) => Promise.resolve(v)') as <T>(v: T) => Promise<T>;
    assert.equal(foreign(1) instanceof Promise, false);
    const token = await issueToken({ ...BASE, secret: SECRET, crypto: bytesBackend((mac) => foreign(mac)) });
    assert.equal((await validateToken(token, { secret: SECRET, now: NOW })).sub, BASE.sub);
    const yes = bytesBackend((s) => foreign(s === 'true'));
    assert.equal((await validateToken(token, { secret: SECRET, now: NOW, crypto: yes })).sub, BASE.sub);
    // A foreign promise of false once passed as "truthy": it must fail.
    const no = bytesBackend(() => foreign(false));
    const err = await rejects(() => validateToken(token, { secret: SECRET, now: NOW, crypto: no }));
    assert.equal(err.code, 'ERR_JWT_SIGNATURE_INVALID');
  });

  it('validateToken accepts only a literal true from hmacVerify', async () => {
    const token = await issueToken({ ...BASE, secret: SECRET });
    for (const answer of [() => 1, () => 'true', () => ({}), () => Promise.resolve(1)]) {
      const err = await rejects(() =>
        validateToken(token, { secret: SECRET, now: NOW, crypto: bytesBackend(answer) }),
      );
      assert.equal(err.code, 'ERR_JWT_SIGNATURE_INVALID');
    }
    const ok = bytesBackend((s) => s === 'true');
    assert.equal((await validateToken(token, { secret: SECRET, now: NOW, crypto: ok })).sub, BASE.sub);
  });
});

/**
 * Key material helpers (src/jws/keys.ts) against node:crypto as the oracle:
 * PEM framing, the JWKS shapes of contract §1.6, public-key derivation, and
 * HS256 secret generation.
 */
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  generateKeyPair,
  generateSecret,
  type JwkLike,
  pemDecode,
  pemEncode,
  privateKeyToPkcs8,
  publicKeyFromPrivate,
  publicKeyToSpki,
  toJwks,
} from '../../src/jws/keys.ts';

function pair() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    privateJwk: privateKey.export({ format: 'jwk' }) as JwkLike,
    publicJwk: publicKey.export({ format: 'jwk' }) as JwkLike,
    spki: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
    pkcs8: new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' })),
  };
}

describe('PEM', () => {
  it('pemEncode writes exactly what OpenSSL writes; pemDecode reads it back', () => {
    const k = pair();
    assert.equal(pemEncode(k.spki, 'PUBLIC KEY'), k.publicPem);
    assert.equal(pemEncode(k.pkcs8, 'PRIVATE KEY'), k.privatePem);
    assert.deepEqual(pemDecode(k.publicPem, 'PUBLIC KEY'), k.spki);
    assert.deepEqual(pemDecode(k.publicPem.replaceAll('\n', '\r\n'), 'PUBLIC KEY'), k.spki);
  });

  it('pemDecode refuses another label, a broken body and an empty body, without quoting the input', () => {
    const k = pair();
    for (const [pem, label] of [
      [k.privatePem, 'PUBLIC KEY'],
      [k.publicPem.replace('MF', 'M='), 'PUBLIC KEY'],
      ['-----BEGIN PUBLIC KEY-----\n\n-----END PUBLIC KEY-----\n', 'PUBLIC KEY'],
      ['-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n', 'PUBLIC KEY'],
      [k.publicPem.replace('-----END PUBLIC KEY-----', ''), 'PUBLIC KEY'],
    ] as const) {
      assert.throws(
        () => pemDecode(pem, label),
        (err: unknown) =>
          (err as { code?: string }).code === 'ERR_KEY_INVALID' &&
          !(err as Error).message.includes(pem.split('\n')[1]!.slice(0, 16) || '\0'),
      );
    }
  });
});

describe('toJwks (contract §1.6)', () => {
  it('members are sorted by name in each format, and x/y equal the key’s coordinates', () => {
    const k = pair();
    const x5c = Buffer.from(k.spki).toString('base64');
    const { x, y } = k.publicJwk;
    assert.equal(
      JSON.stringify(toJwks(k.publicPem, { format: 'ati' })),
      JSON.stringify({ keys: [{ alg: 'ES256', kid: 'ati-proxy-1', kty: 'EC', use: 'sig', x5c: [x5c] }] }),
    );
    assert.equal(
      JSON.stringify(toJwks(k.publicPem, { format: 'standard' })),
      JSON.stringify({
        keys: [{ alg: 'ES256', crv: 'P-256', kid: 'ati-proxy-1', kty: 'EC', use: 'sig', x, y }],
      }),
    );
    assert.equal(
      JSON.stringify(toJwks(k.publicJwk, { kid: 'k2' })),
      JSON.stringify({
        keys: [{ alg: 'ES256', crv: 'P-256', kid: 'k2', kty: 'EC', use: 'sig', x, x5c: [x5c], y }],
      }),
    );
  });

  it('x5c[0] is standard base64 of the SPKI DER, readable by node:crypto', () => {
    const k = pair();
    const der = Buffer.from(toJwks(k.publicPem).keys[0]!.x5c![0]!, 'base64');
    assert.equal(
      createPublicKey({ key: der, format: 'der', type: 'spki' }).export({ format: 'pem', type: 'spki' }),
      k.publicPem,
    );
  });

  it('refuses private keys', () => {
    const k = pair();
    assert.throws(() => toJwks(k.privatePem), { code: 'ERR_KEY_INVALID' });
    assert.throws(() => toJwks(k.privateJwk), { code: 'ERR_KEY_INVALID' });
  });
});

describe('key conversion', () => {
  it('every public form resolves to the same SPKI', () => {
    const k = pair();
    for (const input of [
      k.publicPem,
      k.publicJwk,
      toJwks(k.publicPem, { format: 'ati' }),
      toJwks(k.publicPem),
    ]) {
      assert.deepEqual(publicKeyToSpki(input)[0]!.spki, k.spki);
    }
  });

  it('a private JWK becomes a PKCS#8 that node:crypto reads as the same key', () => {
    const k = pair();
    const der = privateKeyToPkcs8(k.privateJwk);
    const pub = createPublicKey(createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' }));
    assert.equal(pub.export({ format: 'pem', type: 'spki' }), k.publicPem);
  });

  it('publicKeyFromPrivate derives the SPKI PEM from PKCS#8 PEM and private JWK', () => {
    const k = pair();
    assert.equal(publicKeyFromPrivate(k.privatePem), k.publicPem);
    assert.equal(publicKeyFromPrivate(k.privateJwk), k.publicPem);
  });

  it('publicKeyFromPrivate returns undefined for a PKCS#8 without the public key', () => {
    const k = pair();
    const d = Buffer.from(k.privateJwk.d as string, 'base64url');
    // RFC 5208 PrivateKeyInfo { 0, id-ecPublicKey/prime256v1, ECPrivateKey { 1, d } }: no [1] publicKey.
    const der = Buffer.concat([
      Buffer.from('3041020100301306072a8648ce3d020106082a8648ce3d030107042730250201010420', 'hex'),
      d,
    ]);
    const pem = pemEncode(der, 'PRIVATE KEY');
    assert.deepEqual(privateKeyToPkcs8(pem), new Uint8Array(der));
    assert.equal(publicKeyFromPrivate(pem), undefined);
  });
});

describe('generateSecret', () => {
  it('is 64 lowercase hex characters and differs each call', () => {
    const a = generateSecret();
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.notEqual(a, generateSecret());
  });
});

it('a JWKS mixing in non-EC keys still yields its ES256 key', async () => {
  const { publicKey } = await generateKeyPair();
  const [es] = toJwks(publicKey, { format: 'standard' }).keys;
  const mixed = {
    keys: [{ kty: 'RSA', n: 'AQAB', e: 'AQAB', kid: 'rsa-1' }, { kty: 'OKP', crv: 'Ed25519', x: 'AA' }, es!],
  };
  assert.equal(publicKeyToSpki(mixed).length, 1);
});

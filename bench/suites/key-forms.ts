/**
 * Which key form is fastest for each peer? The token suites give every peer
 * its fastest fair setup; this suite is the evidence. Ratios here are
 * `reference ÷ variant` (> 1: the reference form is faster).
 *
 * @module
 */
import { createHmac, createSecretKey } from 'node:crypto';
import { jwtVerify } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { issueToken } from '../../packages/ati-client/src/index.ts';
import { AUDIENCE, ISSUER, makeClaims, RATE } from '../fixtures.ts';
import { type BenchCase, defineSuite } from '../harness.ts';

const SECRET = '4f1c6a0e9b2d7c3a58e1f0b6d4a29c7e13b8f5d0a6c2e9f7b1d3a5c8e0f2b4d6';

export default defineSuite('key-forms', async (): Promise<BenchCase[]> => {
  const claims = makeClaims();
  const bytes = Buffer.from(SECRET, 'hex');
  const u8 = new Uint8Array(bytes);
  const keyObject = createSecretKey(bytes);
  const cryptoKey = await crypto.subtle.importKey('raw', u8, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'verify',
  ]);
  const token = await issueToken({
    secret: SECRET,
    sub: claims.sub,
    scope: claims.scope,
    jti: claims.jti,
    rate: RATE,
    now: claims.iat,
  });
  const input = token.slice(0, token.lastIndexOf('.'));
  const joseOptions = { algorithms: ['HS256'], audience: AUDIENCE, issuer: ISSUER };
  const jwtOptions = { algorithms: ['HS256' as const], audience: AUDIENCE, issuer: ISSUER };
  return [
    {
      name: 'jose HS256 verify',
      ours: 'CryptoKey',
      peers: [
        { name: 'CryptoKey', fn: () => jwtVerify(token, cryptoKey, joseOptions) },
        { name: 'KeyObject', fn: () => jwtVerify(token, keyObject, joseOptions) },
        { name: 'Uint8Array', fn: () => jwtVerify(token, u8, joseOptions) },
      ],
    },
    {
      name: 'jsonwebtoken HS256 verify',
      ours: 'KeyObject',
      peers: [
        { name: 'KeyObject', fn: () => jsonwebtoken.verify(token, keyObject, jwtOptions) },
        { name: 'Buffer', fn: () => jsonwebtoken.verify(token, bytes, jwtOptions) },
      ],
    },
    {
      name: 'createHmac key',
      ours: 'Buffer',
      peers: [
        { name: 'Buffer', fn: () => createHmac('sha256', bytes).update(input).digest() },
        { name: 'KeyObject', fn: () => createHmac('sha256', keyObject).update(input).digest() },
        {
          name: 'KeyObject latin1',
          fn: () => createHmac('sha256', keyObject).update(input, 'latin1').digest(),
        },
      ],
    },
  ];
});

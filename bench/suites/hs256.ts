/**
 * HS256 issue and validate: ati-client against jose, fast-jwt, jsonwebtoken,
 * bare node:crypto and PyJWT, all on the same ATI-shaped claims.
 *
 * @module
 */
import * as nodeCrypto from 'node:crypto';
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';
import { jwtVerify, SignJWT } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { issueToken, validateToken } from '../../packages/ati-client/src/index.ts';
import {
  AUDIENCE,
  assertIssued,
  assertVerified,
  ISSUER,
  issueOptionsFor,
  LEEWAY_SECONDS,
  makeClaims,
} from '../fixtures.ts';
import { type BenchCase, defineSuite, type Peer } from '../harness.ts';
import { pyjwtPeers, pythonHas } from '../pyjwt.ts';

/** A fixed bench secret (64 hex = 32 bytes); not a real key. */
const SECRET = '4f1c6a0e9b2d7c3a58e1f0b6d4a29c7e13b8f5d0a6c2e9f7b1d3a5c8e0f2b4d6';

export default defineSuite('hs256', async (): Promise<BenchCase[]> => {
  const claims = makeClaims();
  const keyBytes = Buffer.from(SECRET, 'hex');
  const keyObject = createSecretKey(keyBytes);
  const joseKey = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);

  const ourIssueOptions = { secret: SECRET, ...issueOptionsFor(claims) };
  const token = await issueToken(ourIssueOptions);
  const payloadText = JSON.stringify(claims);
  const signingInput = token.slice(0, token.lastIndexOf('.'));
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  const fastSigner = createSigner({ key: keyBytes, algorithm: 'HS256' });
  const fastVerifier = createVerifier({
    key: keyBytes,
    algorithms: ['HS256'],
    allowedAud: AUDIENCE,
    allowedIss: ISSUER,
    clockTolerance: LEEWAY_SECONDS * 1000,
    cache: false,
  });

  // The same RFC 2104 composition ours uses (two one-shot hashes over
  // precomputed K^ipad / K^opad, string output), bare: the floor for an
  // HMAC written the way ours is, rather than through createHmac. Barer than
  // ours: no per-call copy and wipe of K^ipad, no latin1 check, and `===`
  // instead of a constant-time compare. Absent where crypto.hash is (Node 20
  // before 20.12).
  const hash = (
    nodeCrypto as { hash?: (alg: string, data: Uint8Array, enc: 'binary' | 'base64url') => string }
  ).hash;
  const ipad = Buffer.alloc(64, 0x36);
  const outer = Buffer.alloc(96, 0x5c);
  for (let i = 0; i < keyBytes.length; i++) {
    ipad[i]! ^= keyBytes[i]!;
    outer[i]! ^= keyBytes[i]!;
  }
  const scratch = Buffer.alloc(64 + 8192);
  ipad.copy(scratch);
  const hashHmac = (h: NonNullable<typeof hash>, input: string): string => {
    const n = scratch.write(input, 64, 'latin1');
    outer.write(h('sha256', scratch.subarray(0, 64 + n), 'binary'), 64, 'latin1');
    return h('sha256', outer, 'base64url');
  };
  if (signingInput.length > 8192) throw new Error('signing input larger than the two-hash floor scratch');
  if (
    hash &&
    hashHmac(hash, signingInput) !== createHmac('sha256', keyBytes).update(signingInput).digest('base64url')
  ) {
    throw new Error('two-hash HMAC floor disagrees with createHmac');
  }
  const twoHashIssue: Peer[] = hash
    ? [
        {
          name: 'node:crypto 2×hash',
          note: 'HMAC as two crypto.hash calls (as ours), precomputed signing input (floor)',
          fn: () => `${signingInput}.${hashHmac(hash, signingInput)}`,
        },
      ]
    : [];
  const twoHashValidate: Peer[] = hash
    ? [
        {
          name: 'node:crypto 2×hash',
          note: 'split + HMAC as two crypto.hash calls (as ours) + string compare, no claims (floor)',
          fn: () => {
            const dot = token.lastIndexOf('.');
            return hashHmac(hash, token.slice(0, dot)) === token.slice(dot + 1);
          },
        },
      ]
    : [];

  const issuePeers: Peer[] = [
    { name: 'ours', note: 'issueToken, hex secret (key cached)', fn: () => issueToken(ourIssueOptions) },
    {
      name: 'jose',
      note: 'SignJWT, CryptoKey imported once',
      fn: () => new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(joseKey),
    },
    { name: 'fast-jwt', note: 'createSigner, key Buffer from hex', fn: () => fastSigner(claims) },
    {
      name: 'jsonwebtoken',
      note: 'sign (sync), KeyObject created once',
      fn: () => jsonwebtoken.sign(claims, keyObject, { algorithm: 'HS256' }),
    },
    {
      name: 'node:crypto',
      note: 'createHmac over the precomputed signing input, base64url digest (floor)',
      fn: () => `${signingInput}.${createHmac('sha256', keyBytes).update(signingInput).digest('base64url')}`,
    },
    ...twoHashIssue,
    {
      name: 'node:crypto HMAC+b64url',
      note: 'base64url of the serialized payload + createHmac + base64url signature (the HMAC-and-base64url loop)',
      fn: () => {
        const input = `eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.${Buffer.from(payloadText).toString('base64url')}`;
        return `${input}.${createHmac('sha256', keyBytes).update(input).digest('base64url')}`;
      },
    },
    {
      name: 'node:crypto+JSON',
      note: 'JSON.stringify + Buffer base64url + createHmac (minimal real issuer)',
      fn: () => {
        const input = `eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
        return `${input}.${createHmac('sha256', keyBytes).update(input).digest('base64url')}`;
      },
    },
  ];

  const bareVerify = (t: string): boolean => {
    const dot = t.lastIndexOf('.');
    const mac = createHmac('sha256', keyBytes).update(t.slice(0, dot)).digest();
    const sig = Buffer.from(t.slice(dot + 1), 'base64url');
    return sig.length === mac.length && timingSafeEqual(sig, mac);
  };
  const validatePeers: Peer[] = [
    {
      name: 'ours',
      note: 'validateToken, hex secret (key cached), issuer + audience',
      fn: () => validateToken(token, { secret: SECRET, issuer: ISSUER }),
    },
    {
      name: 'jose',
      note: 'jwtVerify, CryptoKey imported once',
      fn: () =>
        jwtVerify(token, joseKey, {
          algorithms: ['HS256'],
          audience: AUDIENCE,
          issuer: ISSUER,
          clockTolerance: LEEWAY_SECONDS,
        }),
    },
    {
      name: 'fast-jwt',
      note: 'createVerifier, cache off, key Buffer from hex',
      fn: () => fastVerifier(token),
    },
    {
      name: 'jsonwebtoken',
      note: 'verify (sync), KeyObject created once',
      fn: () =>
        jsonwebtoken.verify(token, keyObject, {
          algorithms: ['HS256'],
          audience: AUDIENCE,
          issuer: ISSUER,
          clockTolerance: LEEWAY_SECONDS,
        }),
    },
    {
      name: 'node:crypto',
      note: 'split + createHmac + timingSafeEqual, no claims (floor)',
      fn: () => bareVerify(token),
    },
    ...twoHashValidate,
    {
      name: 'node:crypto HMAC+b64url',
      note: 'floor + base64url-decode of the payload to text (the HMAC-and-base64url loop)',
      fn: () => {
        if (!bareVerify(token)) throw new Error('bad signature');
        return Buffer.from(token.slice(token.indexOf('.') + 1, token.lastIndexOf('.')), 'base64url').toString(
          'utf8',
        );
      },
    },
    {
      name: 'node:crypto+JSON',
      note: 'floor + JSON.parse(payload) + exp/aud/iss checks (minimal real validator)',
      fn: () => {
        if (!bareVerify(token)) throw new Error('bad signature');
        const first = token.indexOf('.');
        const p: unknown = JSON.parse(
          Buffer.from(token.slice(first + 1, token.lastIndexOf('.')), 'base64url').toString('utf8'),
        );
        if (typeof p !== 'object' || p === null) throw new Error('bad payload');
        const exp: unknown = Reflect.get(p, 'exp');
        if (typeof exp !== 'number' || exp < nowSeconds() - LEEWAY_SECONDS) throw new Error('expired');
        if (Reflect.get(p, 'aud') !== AUDIENCE || Reflect.get(p, 'iss') !== ISSUER) throw new Error('claims');
        return p;
      },
    },
  ];

  // Correctness before timing: every issuer yields exactly our claims, every verifier accepts our token.
  for (const p of issuePeers) await assertIssued(p.name, await p.fn(), claims, { secret: SECRET });
  for (const p of validatePeers.filter((v) => !v.name.startsWith('node:crypto'))) {
    assertVerified(p.name, await p.fn(), claims);
  }
  if (bareVerify(token) !== true) throw new Error('node:crypto: bare verify failed');

  const hasPy = await pythonHas(['jwt']);
  const py = hasPy
    ? pyjwtPeers({
        alg: 'HS256',
        claims: { ...claims },
        token,
        secret: SECRET,
        audience: AUDIENCE,
        issuer: ISSUER,
        leeway: LEEWAY_SECONDS,
      })
    : undefined;

  const targets = (op: string) => [
    { peer: 'fast-jwt', atLeast: 1, label: `HS256 ${op} ≥ fast-jwt (cache off)` },
    ...(py ? [{ peer: 'PyJWT', atLeast: 2, label: `HS256 ${op} ≥ 2× PyJWT` }] : []),
    { peer: 'node:crypto', atLeast: 0.5, label: `HS256 ${op} within 2× of bare node:crypto (HMAC only)` },
    {
      peer: 'node:crypto HMAC+b64url',
      atLeast: 0.5,
      label: `HS256 ${op} within 2× of a bare node:crypto HMAC-and-base64url loop`,
    },
  ];
  return [
    {
      name: 'issue',
      description: 'sign the ATI claims (iss, sub, aud, iat, exp, jti, scope ×4, ati {v, rate}) with HS256',
      peers: issuePeers,
      external: py ? [py.issue] : [],
      targets: targets('issue'),
    },
    {
      name: 'validate',
      description: 'verify an HS256 ATI token and check exp (60 s leeway), aud and iss',
      peers: validatePeers,
      external: py ? [py.validate] : [],
      targets: targets('validate'),
    },
  ];
});

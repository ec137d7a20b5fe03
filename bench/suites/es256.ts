/**
 * ES256 issue and validate: ati-client against jose, fast-jwt, jsonwebtoken,
 * bare node:crypto and PyJWT, on the same ATI-shaped claims and key pair.
 *
 * @module
 */
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';
import { importPKCS8, importSPKI, jwtVerify, SignJWT } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { generateKeyPair, issueToken, validateToken } from '../../packages/ati-client/src/index.ts';
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

export default defineSuite('es256', async (): Promise<BenchCase[]> => {
  const claims = makeClaims();
  const { privateKey, publicKey } = await generateKeyPair();
  const privObject = createPrivateKey(privateKey);
  const pubObject = createPublicKey(publicKey);
  const josePriv = await importPKCS8(privateKey, 'ES256');
  const josePub = await importSPKI(publicKey, 'ES256');

  const ourIssueOptions = { privateKey, ...issueOptionsFor(claims) };
  const token = await issueToken(ourIssueOptions);
  const dot = token.lastIndexOf('.');
  const signingInput = token.slice(0, dot);
  const signature = Buffer.from(token.slice(dot + 1), 'base64url');

  const fastSigner = createSigner({ key: privateKey, algorithm: 'ES256' });
  const fastVerifier = createVerifier({
    key: publicKey,
    algorithms: ['ES256'],
    allowedAud: AUDIENCE,
    allowedIss: ISSUER,
    clockTolerance: LEEWAY_SECONDS * 1000,
    cache: false,
  });

  const issuePeers: Peer[] = [
    {
      name: 'ours',
      note: 'issueToken, PKCS#8 PEM (imported once by our cache)',
      fn: () => issueToken(ourIssueOptions),
    },
    {
      name: 'jose',
      note: 'SignJWT, CryptoKey imported once',
      fn: () => new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'JWT' }).sign(josePriv),
    },
    { name: 'fast-jwt', note: 'createSigner, PEM', fn: () => fastSigner(claims) },
    {
      name: 'jsonwebtoken',
      note: 'sign (sync), KeyObject created once',
      fn: () => jsonwebtoken.sign(claims, privObject, { algorithm: 'ES256' }),
    },
    {
      name: 'node:crypto',
      note: 'crypto.sign over the precomputed signing input, KeyObject (floor)',
      fn: () =>
        `${signingInput}.${sign('sha256', Buffer.from(signingInput), { key: privObject, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`,
    },
  ];
  const validatePeers: Peer[] = [
    {
      name: 'ours',
      note: 'validateToken, SPKI PEM (imported once by our cache), issuer + audience',
      fn: () => validateToken(token, { publicKey, issuer: ISSUER }),
    },
    {
      name: 'jose',
      note: 'jwtVerify, CryptoKey imported once',
      fn: () =>
        jwtVerify(token, josePub, {
          algorithms: ['ES256'],
          audience: AUDIENCE,
          issuer: ISSUER,
          clockTolerance: LEEWAY_SECONDS,
        }),
    },
    { name: 'fast-jwt', note: 'createVerifier, cache off, PEM', fn: () => fastVerifier(token) },
    {
      name: 'jsonwebtoken',
      note: 'verify (sync), KeyObject created once',
      fn: () =>
        jsonwebtoken.verify(token, pubObject, {
          algorithms: ['ES256'],
          audience: AUDIENCE,
          issuer: ISSUER,
          clockTolerance: LEEWAY_SECONDS,
        }),
    },
    {
      name: 'node:crypto',
      note: 'crypto.verify over the signing input, KeyObject, no claims (floor)',
      fn: () =>
        verify('sha256', Buffer.from(signingInput), { key: pubObject, dsaEncoding: 'ieee-p1363' }, signature),
    },
  ];

  for (const p of issuePeers) await assertIssued(p.name, await p.fn(), claims, { publicKey });
  for (const p of validatePeers.filter((v) => v.name !== 'node:crypto')) {
    assertVerified(p.name, await p.fn(), claims);
  }
  if (validatePeers.find((v) => v.name === 'node:crypto')?.fn() !== true) {
    throw new Error('node:crypto: bare verify failed');
  }

  const hasPy = await pythonHas(['jwt', 'cryptography']);
  const py = hasPy
    ? pyjwtPeers({
        alg: 'ES256',
        claims: { ...claims },
        token,
        private_key: privateKey,
        public_key: publicKey,
        audience: AUDIENCE,
        issuer: ISSUER,
        leeway: LEEWAY_SECONDS,
      })
    : undefined;

  return [
    {
      name: 'issue',
      description: 'sign the ATI claims with ES256 (P-256)',
      peers: issuePeers,
      external: py ? [py.issue] : [],
    },
    {
      name: 'validate',
      description: 'verify an ES256 ATI token and check exp (60 s leeway), aud and iss',
      peers: validatePeers,
      external: py ? [py.validate] : [],
      targets: [{ peer: 'jose', atLeast: 1, label: 'ES256 validate ≥ jose' }],
    },
  ];
});

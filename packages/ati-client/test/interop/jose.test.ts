/**
 * Interop with jose (panva/jose): TS-issued tokens verify with
 * `jose.jwtVerify` (algorithm fixed, audience and 60 s tolerance as the
 * proxy), and `jose.SignJWT` tokens validate in TS, HS256 and ES256, on both
 * backends, with keys passed between the libraries as PEM and JWK.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as jose from 'jose';
import { type JwkLike, toJwks } from '../../src/jws/keys.ts';
import { issueToken } from '../../src/token/issue.ts';
import { validateToken } from '../../src/token/validate.ts';
import { SECRET } from '../helpers/constants.ts';
import { BACKENDS, makeEsKeys, NOW, rejects } from '../helpers/token.ts';

const keys = makeEsKeys();
const SECRET_BYTES = new Uint8Array(Buffer.from(SECRET, 'hex'));
const CLAIMS = {
  sub: 'agent-7',
  scope: 'tool:web_search tool:github:*',
  rate: { 'tool:github:*': '10/hour' },
  jti: 'j-1',
  now: NOW,
} as const;

/** jose options that mirror the proxy (contract §1.4). */
function joseOptions(alg: 'HS256' | 'ES256'): jose.JWTVerifyOptions {
  return { algorithms: [alg], audience: 'ati-proxy', clockTolerance: 60, currentDate: new Date(NOW * 1000) };
}

/** A jose-signed token with the ATI claim shape. */
function joseToken(extra: jose.JWTPayload = {}): jose.SignJWT {
  return new jose.SignJWT({
    scope: 'tool:web_search',
    ati: { v: 1, rate: { 'tool:web_search': '5/min' } },
    ...extra,
  })
    .setSubject('agent-9')
    .setAudience('ati-proxy')
    .setIssuer('ati-orchestrator')
    .setIssuedAt(NOW)
    .setExpirationTime(NOW + 600)
    .setJti('j-9');
}

describe('jose interop', () => {
  for (const crypto of BACKENDS) {
    describe(`backend ${crypto.name}`, () => {
      it('TS HS256 → jose.jwtVerify (HS256 only, raw hex-decoded key)', async () => {
        const token = await issueToken({ ...CLAIMS, secret: SECRET, crypto });
        const { payload, protectedHeader } = await jose.jwtVerify(token, SECRET_BYTES, joseOptions('HS256'));
        assert.deepEqual(protectedHeader, { typ: 'JWT', alg: 'HS256' });
        assert.deepEqual(payload, (await validateToken(token, { secret: SECRET, now: NOW })).toJSON());
      });

      it('TS HS256 keyed with the hex text itself does not verify (contract §1.5: never the UTF-8 of the hex)', async () => {
        const token = await issueToken({ ...CLAIMS, secret: SECRET, crypto });
        await assert.rejects(
          jose.jwtVerify(token, new TextEncoder().encode(SECRET), joseOptions('HS256')),
          jose.errors.JWSSignatureVerificationFailed,
        );
      });

      it('TS ES256 → jose.jwtVerify with importSPKI and with a local JWKS', async () => {
        const token = await issueToken({ ...CLAIMS, privateKey: keys.privatePem, crypto });
        const spki = await jose.importSPKI(keys.publicPem, 'ES256');
        const a = await jose.jwtVerify(token, spki, joseOptions('ES256'));
        for (const format of ['standard', 'both'] as const) {
          const jwks = jose.createLocalJWKSet(toJwks(keys.publicPem, { format }) as jose.JSONWebKeySet);
          const b = await jose.jwtVerify(token, jwks, joseOptions('ES256'));
          assert.deepEqual(b.payload, a.payload);
        }
        assert.equal(a.payload.sub, 'agent-7');
      });

      it('expiry boundary: jose (like PyJWT) is one second stricter than the proxy rule TS follows', async () => {
        const token = await issueToken({ ...CLAIMS, ttlSeconds: 10, privateKey: keys.privatePem, crypto });
        const exp = NOW + 10;
        const spki = await jose.importSPKI(keys.publicPem, 'ES256');
        const at = (t: number) => ({ ...joseOptions('ES256'), currentDate: new Date(t * 1000) });
        // jose rejects once exp <= now - tolerance; the proxy only once exp < now - 60 (contract §1.7).
        await jose.jwtVerify(token, spki, at(exp + 59));
        await assert.rejects(jose.jwtVerify(token, spki, at(exp + 60)), jose.errors.JWTExpired);
        await validateToken(token, { publicKey: keys.publicPem, now: exp + 60, crypto });
        const err = await rejects(() =>
          validateToken(token, { publicKey: keys.publicPem, now: exp + 61, crypto }),
        );
        assert.equal(err.code, 'ERR_JWT_EXPIRED');
      });

      it('jose.SignJWT HS256 → TS', async () => {
        const token = await joseToken().setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(SECRET_BYTES);
        const c = await validateToken(token, { secret: SECRET, now: NOW, crypto });
        assert.deepEqual(c.toJSON(), {
          iss: 'ati-orchestrator',
          sub: 'agent-9',
          aud: 'ati-proxy',
          iat: NOW,
          exp: NOW + 600,
          jti: 'j-9',
          scope: 'tool:web_search',
          ati: { v: 1, rate: { 'tool:web_search': '5/min' } },
        });
      });

      it('jose.SignJWT ES256 (importPKCS8) → TS with PEM, JWK and the proxy x5c JWKS', async () => {
        const priv = await jose.importPKCS8(keys.privatePem, 'ES256');
        const token = await joseToken().setProtectedHeader({ alg: 'ES256' }).sign(priv);
        for (const publicKey of [
          keys.publicPem,
          keys.publicJwk as JwkLike,
          toJwks(keys.publicPem, { format: 'ati' }),
        ]) {
          const c = await validateToken(token, { publicKey, now: NOW, crypto });
          assert.equal(c.sub, 'agent-9');
        }
      });

      it('keys generated by jose work in TS, and keys from TS work in jose', async () => {
        const pair = await jose.generateKeyPair('ES256', { extractable: true });
        const privatePem = await jose.exportPKCS8(pair.privateKey);
        const publicJwk = await jose.exportJWK(pair.publicKey);
        const token = await issueToken({ ...CLAIMS, privateKey: privatePem, crypto });
        await validateToken(token, { publicKey: publicJwk as JwkLike, now: NOW, crypto });
        await jose.jwtVerify(token, pair.publicKey, joseOptions('ES256'));
        const privateJwk = await jose.exportJWK(pair.privateKey);
        const token2 = await issueToken({ ...CLAIMS, privateKey: privateJwk as JwkLike, crypto });
        await jose.jwtVerify(token2, pair.publicKey, joseOptions('ES256'));
      });

      it('jose tokens the proxy would refuse are refused by TS too', async () => {
        const priv = await jose.importPKCS8(keys.privatePem, 'ES256');
        const arrayAud = await joseToken()
          .setAudience(['ati-proxy'])
          .setProtectedHeader({ alg: 'HS256' })
          .sign(SECRET_BYTES);
        const noScope = await new jose.SignJWT({})
          .setSubject('a')
          .setAudience('ati-proxy')
          .setIssuedAt(NOW)
          .setExpirationTime(NOW + 60)
          .setProtectedHeader({ alg: 'HS256' })
          .sign(SECRET_BYTES);
        const hs512 = await joseToken().setProtectedHeader({ alg: 'HS512' }).sign(new Uint8Array(64).fill(1));
        const es256 = await joseToken().setProtectedHeader({ alg: 'ES256' }).sign(priv);
        const rows: Array<[string, string, string]> = [
          ['array aud (jose accepts it)', arrayAud, 'ERR_JWT_CLAIMS_INVALID'],
          ['no scope claim', noScope, 'ERR_JWT_CLAIMS_INVALID'],
          ['HS512', hs512, 'ERR_JWT_ALG_NOT_ALLOWED'],
          ['ES256 to an HS256 validator', es256, 'ERR_JWT_ALG_NOT_ALLOWED'],
        ];
        for (const [name, token, code] of rows) {
          const err = await rejects(() => validateToken(token, { secret: SECRET, now: NOW, crypto }));
          assert.equal(err.code, code, name);
        }
        // jose itself accepts the array audience: the proxy does not (contract §1.3), so neither do we.
        await jose.jwtVerify(arrayAud, SECRET_BYTES, joseOptions('HS256'));
      });
    });
  }

  it('contract §1.6: a standard JWK importer cannot read the proxy’s x5c-only JWKS; TS can', async () => {
    const jwks = toJwks(keys.publicPem, { format: 'ati' });
    await assert.rejects(jose.importJWK(jwks.keys[0] as jose.JWK, 'ES256'));
    const token = await issueToken({ ...CLAIMS, privateKey: keys.privatePem });
    await validateToken(token, { publicKey: jwks, now: NOW });
  });
});

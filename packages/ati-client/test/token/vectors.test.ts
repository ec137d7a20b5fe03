/**
 * Known-answer vectors: the contract's golden tokens (§1.9), RFC 7515
 * Appendix A.1 (HS256) and A.3 (ES256), and Wycheproof HMAC-SHA256 and
 * ECDSA P-256 (P1363) vectors through both crypto backends.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { TokenExpiredError } from '../../src/errors.ts';
import { inspectToken } from '../../src/token/inspect.ts';
import { issueToken } from '../../src/token/issue.ts';
import { validateToken } from '../../src/token/validate.ts';
import { SECRET } from '../helpers/constants.ts';
import { BACKENDS, b64u, rejects } from '../helpers/token.ts';

const RUST_SHAPED =
  'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJhdGktb3JjaGVzdHJhdG9yIiwic3ViIjoiYWdlbnQtNyIsImF1ZCI6ImF0aS1wcm94eSIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAzNjAwLCJqdGkiOiI1NTBlODQwMC1lMjliLTQxZDQtYTcxNi00NDY2NTU0NDAwMDAiLCJzY29wZSI6InRvb2w6d2ViX3NlYXJjaCB0b29sOmdpdGh1YjoqIiwiYXRpIjp7InYiOjEsInJhdGUiOnsidG9vbDpnaXRodWI6KiI6IjEwL2hvdXIifX19.LEPt8hB4ymeZNiOL_GABbDmPv0gCzd-aMggejerGix4';
const PYTHON_SHAPED =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZ2VudC03IiwiYXVkIjoiYXRpLXByb3h5IiwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjE3MDAwMDM2MDAsInNjb3BlIjoidG9vbDp3ZWJfc2VhcmNoIHRvb2w6Z2l0aHViOioiLCJpc3MiOiJhdGktb3JjaGVzdHJhdG9yIiwianRpIjoiNTUwZTg0MDAtZTI5Yi00MWQ0LWE3MTYtNDQ2NjU1NDQwMDAwIiwiYXRpIjp7InYiOjEsInJhdGUiOnsidG9vbDpnaXRodWI6KiI6IjEwL2hvdXIifX19.4ju7wyn6z1vuW7RonwxpY6DBjlUgeY1dd4GVUr_pK6s';
const GOLDEN_CLAIMS = {
  iss: 'ati-orchestrator',
  sub: 'agent-7',
  aud: 'ati-proxy',
  iat: 1700000000,
  exp: 1700003600,
  jti: '550e8400-e29b-41d4-a716-446655440000',
  scope: 'tool:web_search tool:github:*',
  ati: { v: 1, rate: { 'tool:github:*': '10/hour' } },
};

// RFC 7515 Appendix A.1 (HS256) and A.3 (ES256). The payload has no sub/aud/scope.
const RFC_A1 =
  'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const RFC_A1_K = 'AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow';
const RFC_A3 =
  'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q';
const RFC_A3_JWK = {
  kty: 'EC',
  crv: 'P-256',
  x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
};
const RFC_NOW = 1300819380;

/** The JWK `k` member (base64url) as the hex secret validateToken takes. */
const rfcSecret = Buffer.from(RFC_A1_K, 'base64url').toString('hex');

/** Flip one bit of a token's signature, keeping the encoding canonical. */
function flipSignatureBit(token: string, bit = 0): string {
  const i = token.lastIndexOf('.');
  const sig = Buffer.from(token.slice(i + 1), 'base64url');
  sig[bit >> 3] = sig[bit >> 3]! ^ (1 << (bit & 7));
  return `${token.slice(0, i + 1)}${b64u(sig)}`;
}

function hex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'hex'));
}

/** The bytes of a Wycheproof message as a one-byte-per-unit string (the backends' `data`). */
function binaryString(hexText: string): string {
  return Buffer.from(hexText, 'hex').toString('latin1');
}

interface HmacVector {
  tcId: number;
  key: string;
  msg: string;
  tag: string;
  tagSize: number;
  result: 'valid' | 'invalid';
  jwt_expect: 'accept' | 'reject';
  comment: string;
}
interface EcdsaVector {
  tcId: number;
  key: string;
  msg: string;
  sig: string;
  result: 'valid' | 'invalid';
  jwt_expect: 'accept' | 'reject';
  comment: string;
}
interface VectorFile<T> {
  numberOfTests: number;
  key_format?: string;
  tests: T[];
}

const VECTORS = '/work/shared/vectors';
const hmacFile = JSON.parse(
  readFileSync(`${VECTORS}/wycheproof-hmac-sha256.json`, 'utf8'),
) as VectorFile<HmacVector>;
const ecdsaFile = JSON.parse(
  readFileSync(`${VECTORS}/wycheproof-ecdsa-p256-p1363.json`, 'utf8'),
) as VectorFile<EcdsaVector>;
const SPKI_P256_PREFIX = '3059301306072a8648ce3d020106082a8648ce3d030107034200';

describe('contract §1.9 golden vectors', () => {
  for (const backend of BACKENDS) {
    describe(`backend ${backend.name}`, () => {
      it('issueToken reproduces the Rust-shaped token byte for byte', async () => {
        const token = await issueToken({
          secret: SECRET,
          sub: 'agent-7',
          scope: 'tool:web_search tool:github:*',
          now: 1700000000.7,
          jti: '550e8400-e29b-41d4-a716-446655440000',
          rate: { 'tool:github:*': '10/hour' },
          crypto: backend,
        });
        assert.equal(token, RUST_SHAPED);
      });

      for (const [name, token] of [
        ['Rust-shaped', RUST_SHAPED],
        ['Python-SDK-shaped', PYTHON_SHAPED],
      ] as const) {
        it(`${name} token validates with the same claims`, async () => {
          const claims = await validateToken(token, { secret: SECRET, now: 1700000100, crypto: backend });
          assert.deepEqual(claims.toJSON(), GOLDEN_CLAIMS);
          assert.deepEqual(claims.scopes(), ['tool:web_search', 'tool:github:*']);
        });

        it(`${name} token: accepted at exp+60, ERR_JWT_EXPIRED at exp+61`, async () => {
          const ok = await validateToken(token, { secret: SECRET, now: 1700003660, crypto: backend });
          assert.equal(ok.exp, 1700003600);
          // A fractional clock is floored first: 1700003660.99 is still exp+60.
          await validateToken(token, { secret: SECRET, now: 1700003660.99, crypto: backend });
          const err = await rejects(() =>
            validateToken(token, { secret: SECRET, now: 1700003661, crypto: backend }),
          );
          assert.equal(err.code, 'ERR_JWT_EXPIRED');
          assert.ok(err instanceof TokenExpiredError);
          assert.equal(err.exp, 1700003600);
          assert.equal(err.now, 1700003661);
        });
      }
    });
  }

  it('inspectToken decodes both shapes to the same claims', () => {
    assert.deepEqual(inspectToken(RUST_SHAPED).toJSON(), GOLDEN_CLAIMS);
    assert.deepEqual(inspectToken(PYTHON_SHAPED).toJSON(), GOLDEN_CLAIMS);
  });
});

describe('RFC 7515 Appendix A', () => {
  for (const backend of BACKENDS) {
    describe(`backend ${backend.name}`, () => {
      it('A.1 HS256: the MAC verifies at the backend layer', async () => {
        const i = RFC_A1.lastIndexOf('.');
        const key = await backend.importHmacKey(hex(rfcSecret));
        const mac = Buffer.from(RFC_A1.slice(i + 1), 'base64url');
        assert.equal(await backend.hmacVerify(key, RFC_A1.slice(0, i), mac.toString('base64url')), true);
        mac[0] = mac[0]! ^ 1;
        assert.equal(await backend.hmacVerify(key, RFC_A1.slice(0, i), mac.toString('base64url')), false);
      });

      it('A.1 HS256: signature passes, then the claims (no sub/aud/scope) fail', async () => {
        const err = await rejects(() =>
          validateToken(RFC_A1, { secret: rfcSecret, now: RFC_NOW, crypto: backend }),
        );
        assert.equal(err.code, 'ERR_JWT_CLAIMS_INVALID');
        // Claim types are checked before expiry, as in jsonwebtoken: long expired, still a claims error.
        const late = await rejects(() =>
          validateToken(RFC_A1, { secret: rfcSecret, now: RFC_NOW + 10 ** 9, crypto: backend }),
        );
        assert.equal(late.code, 'ERR_JWT_CLAIMS_INVALID');
      });

      it('A.1 HS256: a flipped signature bit is a signature error, not a claims error', async () => {
        for (const bit of [0, 7, 100, 255]) {
          const err = await rejects(() =>
            validateToken(flipSignatureBit(RFC_A1, bit), {
              secret: rfcSecret,
              now: RFC_NOW,
              crypto: backend,
            }),
          );
          assert.equal(err.code, 'ERR_JWT_SIGNATURE_INVALID');
        }
      });

      it('A.3 ES256: signature passes with the public JWK, then the claims fail', async () => {
        const err = await rejects(() =>
          validateToken(RFC_A3, { publicKey: RFC_A3_JWK, now: RFC_NOW, crypto: backend }),
        );
        assert.equal(err.code, 'ERR_JWT_CLAIMS_INVALID');
      });

      it('A.3 ES256: a flipped signature bit is a signature error', async () => {
        for (const bit of [0, 255, 256, 511]) {
          const err = await rejects(() =>
            validateToken(flipSignatureBit(RFC_A3, bit), {
              publicKey: RFC_A3_JWK,
              now: RFC_NOW,
              crypto: backend,
            }),
          );
          assert.equal(err.code, 'ERR_JWT_SIGNATURE_INVALID');
        }
      });

      it('A.1 with the wrong key family: ES256 validator refuses the HS256 token by algorithm', async () => {
        const err = await rejects(() =>
          validateToken(RFC_A1, { publicKey: RFC_A3_JWK, now: RFC_NOW, crypto: backend }),
        );
        assert.equal(err.code, 'ERR_JWT_ALG_NOT_ALLOWED');
      });
    });
  }
});

describe('Wycheproof', () => {
  it('vector files hold what their headers say', () => {
    assert.equal(hmacFile.tests.length, hmacFile.numberOfTests);
    assert.equal(ecdsaFile.tests.length, ecdsaFile.numberOfTests);
    assert.ok(ecdsaFile.key_format?.includes(SPKI_P256_PREFIX));
    // jwt_expect: accept exactly the valid full-length (256-bit) tags; a truncated tag is never a JWS HS256 MAC.
    for (const t of hmacFile.tests) {
      assert.equal(t.jwt_expect === 'accept', t.result === 'valid' && t.tagSize === 256, `tcId ${t.tcId}`);
    }
    for (const t of ecdsaFile.tests) assert.equal(t.jwt_expect === 'accept', t.result === 'valid');
  });

  for (const backend of BACKENDS) {
    describe(`backend ${backend.name}`, () => {
      it(`HMAC-SHA256: all ${hmacFile.tests.length} vectors match jwt_expect through hmacVerify`, async () => {
        const wrong: string[] = [];
        for (const t of hmacFile.tests) {
          const key = await backend.importHmacKey(hex(t.key));
          const tag = Buffer.from(t.tag, 'hex').toString('base64url');
          const ok = await backend.hmacVerify(key, binaryString(t.msg), tag);
          if (ok !== (t.jwt_expect === 'accept')) wrong.push(`tcId ${t.tcId} (${t.comment})`);
        }
        assert.deepEqual(wrong, []);
      });

      it('HMAC-SHA256: hmacSign reproduces every valid full-length tag', async () => {
        const wrong: number[] = [];
        for (const t of hmacFile.tests) {
          if (t.jwt_expect !== 'accept') continue;
          const key = await backend.importHmacKey(hex(t.key));
          const mac = await backend.hmacSign(key, binaryString(t.msg));
          if (Buffer.from(mac, 'base64url').toString('hex') !== t.tag) wrong.push(t.tcId);
        }
        assert.deepEqual(wrong, []);
      });

      it(`ECDSA P-256 P1363: all ${ecdsaFile.tests.length} vectors match jwt_expect through ecdsaVerify`, async () => {
        const wrong: string[] = [];
        for (const t of ecdsaFile.tests) {
          const key = await backend.importEcPublicKey(hex(SPKI_P256_PREFIX + t.key));
          const ok = await backend.ecdsaVerify(key, binaryString(t.msg), hex(t.sig));
          if (ok !== (t.jwt_expect === 'accept')) wrong.push(`tcId ${t.tcId} (${t.comment})`);
        }
        assert.deepEqual(wrong, []);
      });
    });
  }
});

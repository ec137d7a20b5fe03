/**
 * Interop with PyJWT, the library behind the Python SDK (contract §0, §1.3,
 * §1.9): TS-issued tokens validate in PyJWT with the SDK's options, and
 * PyJWT-issued tokens with the SDK's claim shape validate in TS, HS256 and
 * ES256. Runs the real `/usr/bin/python3` (Debian python3-jwt and
 * python3-cryptography); if they are missing this file FAILS, it does not
 * skip. One Python process serves the whole file.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { toJwks } from '../../src/jws/keys.ts';
import { issueToken } from '../../src/token/issue.ts';
import { validateToken } from '../../src/token/validate.ts';
import { SECRET } from '../helpers/constants.ts';
import { BACKENDS, makeEsKeys, rejects } from '../helpers/token.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./py/pyjwt_interop.py', import.meta.url));
const keys = makeEsKeys();
const PYTHON_SHAPED_GOLDEN =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZ2VudC03IiwiYXVkIjoiYXRpLXByb3h5IiwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjE3MDAwMDM2MDAsInNjb3BlIjoidG9vbDp3ZWJfc2VhcmNoIHRvb2w6Z2l0aHViOioiLCJpc3MiOiJhdGktb3JjaGVzdHJhdG9yIiwianRpIjoiNTUwZTg0MDAtZTI5Yi00MWQ0LWE3MTYtNDQ2NjU1NDQwMDAwIiwiYXRpIjp7InYiOjEsInJhdGUiOnsidG9vbDpnaXRodWI6KiI6IjEwL2hvdXIifX19.4ju7wyn6z1vuW7RonwxpY6DBjlUgeY1dd4GVUr_pK6s';

/** Run a Python snippet or script with data on stdin; no network, isolated mode, no bytecode files. */
function python(args: string[], stdin: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      PYTHON,
      ['-I', '-B', ...args],
      { timeout: 30_000, maxBuffer: 16 * 1024 * 1024, env: { LANG: 'C.UTF-8', PATH: '/usr/bin:/bin' } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`python failed: ${err.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
    child.stdin?.end(stdin);
  });
}

interface DecodeRequest {
  token: string;
  alg: 'HS256' | 'ES256';
  key: string;
  audience?: string;
}
interface IssueRequest {
  alg: 'HS256' | 'ES256';
  key: string;
  sub: string;
  scope: string;
  jti: string;
  ttl_seconds?: number;
  aud?: string;
  iss?: string | null;
  rate?: Record<string, string>;
  now?: number;
}
type DecodeAnswer = { ok: true; claims: Record<string, unknown> } | { ok: false; error: string };
interface Answer {
  pyjwt: string;
  decode: DecodeAnswer[];
  sdk_issue: string[];
}

// What TS issues (with the real clock, since PyJWT checks exp/iat against it) and what PyJWT must conclude.
interface TsCase {
  name: string;
  request: DecodeRequest;
  expect: 'ok' | string;
}
const tsCases: TsCase[] = [];
// What PyJWT issues, and how TS validates it.
interface PyCase {
  name: string;
  request: IssueRequest;
  verify: { secret: string } | { publicKey: string | ReturnType<typeof toJwks> };
}
const pyCases: PyCase[] = [];
let answer: Answer;

const SDK_CLAIMS = {
  sub: 'agent-7',
  scope: 'tool:web_search tool:github:*',
  jti: '550e8400-e29b-41d4-a716-446655440000',
  rate: { 'tool:github:*': '10/hour' },
};

before(async () => {
  const now = Math.floor(Date.now() / 1000);
  for (const crypto of BACKENDS) {
    const hs = await issueToken({ ...SDK_CLAIMS, secret: SECRET, crypto });
    const es = await issueToken({ ...SDK_CLAIMS, privateKey: keys.privatePem, crypto });
    const unicode = await issueToken({
      secret: SECRET,
      sub: 'agént-日本-\u{1f600}',
      scope: '',
      iss: null,
      jobId: 'job-1',
      sandboxId: 'sb-1',
      crypto,
    });
    tsCases.push(
      { name: `HS256 from ${crypto.name}`, request: { token: hs, alg: 'HS256', key: SECRET }, expect: 'ok' },
      {
        name: `ES256 from ${crypto.name}`,
        request: { token: es, alg: 'ES256', key: keys.publicPem },
        expect: 'ok',
      },
      {
        name: `raw-UTF-8 claims, no iss, job/sandbox ids, from ${crypto.name}`,
        request: { token: unicode, alg: 'HS256', key: SECRET },
        expect: 'ok',
      },
    );
  }
  const expired = await issueToken({ ...SDK_CLAIMS, secret: SECRET, now: now - 7200, ttlSeconds: 3600 });
  const staging = await issueToken({ ...SDK_CLAIMS, secret: SECRET, aud: 'staging' });
  const es = await issueToken({ ...SDK_CLAIMS, privateKey: keys.privatePem });
  tsCases.push(
    {
      name: 'wrong secret',
      request: { token: staging, alg: 'HS256', key: 'b'.repeat(64), audience: 'staging' },
      expect: 'InvalidSignatureError',
    },
    {
      name: 'expired an hour ago',
      request: { token: expired, alg: 'HS256', key: SECRET },
      expect: 'ExpiredSignatureError',
    },
    {
      name: 'other audience',
      request: { token: staging, alg: 'HS256', key: SECRET },
      expect: 'InvalidAudienceError',
    },
    {
      name: 'ES256 token to an HS256 validator',
      request: { token: es, alg: 'HS256', key: SECRET },
      expect: 'InvalidAlgorithmError',
    },
  );

  pyCases.push(
    {
      name: 'SDK issue_token (HS256)',
      request: { ...SDK_CLAIMS, alg: 'HS256', key: SECRET },
      verify: { secret: SECRET },
    },
    {
      name: 'SDK shape with iss=None, empty scope, no rate, non-ASCII sub (PyJWT escapes it)',
      request: { alg: 'HS256', key: SECRET, sub: 'agént-\u{1f600}', scope: '', jti: 'j', iss: null },
      verify: { secret: SECRET },
    },
    {
      name: 'SDK shape signed ES256 (PEM public key)',
      request: { ...SDK_CLAIMS, alg: 'ES256', key: keys.privatePem },
      verify: { publicKey: keys.publicPem },
    },
    {
      name: 'SDK shape signed ES256 (proxy x5c JWKS)',
      request: { ...SDK_CLAIMS, alg: 'ES256', key: keys.privatePem, ttl_seconds: 60 },
      verify: { publicKey: toJwks(keys.publicPem, { format: 'ati' }) },
    },
  );

  const request = {
    decode: tsCases.map((c) => c.request),
    sdk_issue: [
      ...pyCases.map((c) => c.request),
      // Contract §1.9: issue_token(..., ttl_seconds=3600, jti=…, rate=…) at t=1700000000.7.
      { ...SDK_CLAIMS, alg: 'HS256', key: SECRET, now: 1700000000.7 },
    ],
  };
  answer = JSON.parse(await python([SCRIPT], JSON.stringify(request))) as Answer;
});

describe('PyJWT interop (/usr/bin/python3)', () => {
  it('python3 has PyJWT and cryptography (CI installs python3-jwt and python3-cryptography)', async () => {
    const out = await python(['-c', 'import jwt, cryptography; print(jwt.__version__)'], '');
    assert.match(out.trim(), /^2\.\d+\.\d+$/);
    assert.match(answer.pyjwt, /^2\./);
  });

  it('PyJWT reproduces the contract’s Python-SDK-shaped golden token byte for byte', () => {
    assert.equal(answer.sdk_issue.at(-1), PYTHON_SHAPED_GOLDEN);
  });

  it('TS-issued tokens: PyJWT with the SDK options reaches the expected verdict', async () => {
    assert.equal(answer.decode.length, tsCases.length);
    for (const [i, c] of tsCases.entries()) {
      const got = answer.decode[i]!;
      assert.equal(got.ok ? 'ok' : got.error, c.expect, c.name);
      if (got.ok) {
        // PyJWT decodes exactly the claims TS reads back.
        const key = c.request.alg === 'HS256' ? { secret: SECRET } : { publicKey: keys.publicPem };
        const ours = await validateToken(c.request.token, key);
        assert.deepEqual(got.claims, ours.toJSON(), c.name);
      }
    }
  });

  for (const crypto of BACKENDS) {
    it(`PyJWT-issued tokens validate in TS (${crypto.name} backend)`, async () => {
      for (const [i, c] of pyCases.entries()) {
        const token = answer.sdk_issue[i]!;
        const claims = await validateToken(token, { ...c.verify, crypto });
        assert.equal(claims.sub, c.request.sub, c.name);
        assert.equal(claims.scope, c.request.scope, c.name);
        assert.equal(claims.jti, c.request.jti, c.name);
        assert.equal(claims.iss, c.request.iss === null ? undefined : 'ati-orchestrator', c.name);
        assert.equal(claims.exp - claims.iat, c.request.ttl_seconds ?? 3600, c.name);
        assert.deepEqual(claims.ati, { v: 1, rate: c.request.rate ?? {} }, c.name);
        // PyJWT's header order and ASCII-escaped JSON, as the contract says (§1.2, §1.3).
        const [header, payload] = token.split('.');
        assert.equal(Buffer.from(header!, 'base64url').toString(), `{"alg":"${c.request.alg}","typ":"JWT"}`);
        assert.match(Buffer.from(payload!, 'base64url').toString(), /^[\x20-\x7e]*$/);
      }
    });
  }

  it('a PyJWT token fails in TS exactly where the proxy would (wrong key, wrong audience)', async () => {
    const hs = answer.sdk_issue[0]!;
    assert.equal(
      (await rejects(() => validateToken(hs, { secret: 'c'.repeat(64) }))).code,
      'ERR_JWT_SIGNATURE_INVALID',
    );
    assert.equal(
      (await rejects(() => validateToken(hs, { secret: SECRET, audience: 'other' }))).code,
      'ERR_JWT_AUDIENCE_MISMATCH',
    );
    assert.equal(
      (await rejects(() => validateToken(hs, { publicKey: keys.publicPem }))).code,
      'ERR_JWT_ALG_NOT_ALLOWED',
    );
  });
});

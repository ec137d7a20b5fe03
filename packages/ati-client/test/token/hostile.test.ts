/**
 * Hostile tokens (contract §1.1–1.7, §12): every row is signed with the right
 * key by an independent helper, so only the targeted defect is wrong, and
 * must fail with the listed `code` on both backends, with no secret material
 * in the error. Accepted-edge rows must validate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AtiErrorCode } from '../../src/errors.ts';
import type { ValidateTokenOptions } from '../../src/token/validate.ts';
import { validateToken } from '../../src/token/validate.ts';
import { OTHER_SECRET, SECRET } from '../helpers/constants.ts';
import {
  assertNoLeak,
  BACKENDS,
  b64u,
  ES_HEADER,
  HS_HEADER,
  hs,
  makeEsKeys,
  NOW,
  padded,
  payload,
  rejects,
  type Signer,
  signRaw,
  signSegments,
  validHs,
} from '../helpers/token.ts';

const keys = makeEsKeys();
const other = makeEsKeys();
const ES: Signer = { ec: keys.privateKey };
const HS = hs();
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A header of 28 bytes: its base64url has a 2-character tail, so padding and trailing bits are in play. */
const HS_HEADER_28 = '{"typ":"JWT", "alg":"HS256"}';
/** The default payload with trailing JSON whitespace so its base64url has a partial last group. */
function oddPayload(): string {
  let p = payload();
  while (Buffer.byteLength(p) % 3 !== 1) p += ' ';
  return p;
}

/** Set an unused trailing bit of a segment (still decodes leniently, rejected by a canonical decoder). */
function nonCanonical(segment: string): string {
  const rem = segment.length % 4;
  assert.ok(rem === 2 || rem === 3, 'fixture error: segment has no unused bits');
  const last = B64URL.indexOf(segment.at(-1)!);
  assert.equal(last & 1, 0);
  return segment.slice(0, -1) + B64URL[last | 1];
}

function segments(token: string): [string, string, string] {
  const [h, p, s] = token.split('.');
  return [h!, p!, s!];
}

function withSignature(token: string, sig: string): string {
  return `${token.slice(0, token.lastIndexOf('.'))}.${sig}`;
}

/** IEEE P1363 r‖s → ASN.1 DER SEQUENCE { INTEGER r, INTEGER s }. */
function p1363ToDer(sig: Buffer): Buffer {
  const int = (b: Buffer): Buffer => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = b.subarray(i);
    const body = v[0]! & 0x80 ? Buffer.concat([Buffer.of(0), v]) : v;
    return Buffer.concat([Buffer.of(0x02, body.length), body]);
  };
  const seq = Buffer.concat([int(sig.subarray(0, 32)), int(sig.subarray(32))]);
  return Buffer.concat([Buffer.of(0x30, seq.length), seq]);
}

/** The same ECDSA signature with s replaced by n − s (high-S; the proxy accepts it). */
function highS(token: string): string {
  const sig = Buffer.from(segments(token)[2], 'base64url');
  const s = BigInt(`0x${sig.subarray(32).toString('hex')}`);
  const flipped = Buffer.from((P256_N - s).toString(16).padStart(64, '0'), 'hex');
  return withSignature(token, b64u(Buffer.concat([sig.subarray(0, 32), flipped])));
}

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

const validEs = (p = payload()) => signRaw(ES_HEADER, p, ES);
const VALID = validHs();
const VALID_ES = validEs();

type Verifier = 'hs' | 'es';
interface Row {
  name: string;
  token: unknown;
  code: AtiErrorCode;
  verifier?: Verifier;
  options?: Partial<ValidateTokenOptions>;
}

const HOSTILE: Row[] = [
  // Algorithm and header (§1.2)
  {
    name: 'alg none, empty signature',
    token: `${b64u('{"alg":"none"}')}.${b64u(payload())}.`,
    code: 'ERR_JWT_MALFORMED',
  },
  {
    name: 'alg none with a valid HMAC',
    token: signRaw('{"typ":"JWT","alg":"none"}', payload(), HS),
    code: 'ERR_JWT_MALFORMED',
  },
  {
    name: "alg 'hs256' (case)",
    token: signRaw('{"typ":"JWT","alg":"hs256"}', payload(), HS),
    code: 'ERR_JWT_MALFORMED',
  },
  {
    name: 'alg HS384 with a valid HMAC-SHA384',
    token: signRaw('{"typ":"JWT","alg":"HS384"}', payload(), hs(SECRET, 'sha384')),
    code: 'ERR_JWT_ALG_NOT_ALLOWED',
  },
  {
    name: 'alg HS512 with a valid HMAC-SHA512',
    token: signRaw('{"typ":"JWT","alg":"HS512"}', payload(), hs(SECRET, 'sha512')),
    code: 'ERR_JWT_ALG_NOT_ALLOWED',
  },
  {
    name: 'alg EdDSA on an HS256 validator',
    token: signRaw('{"alg":"EdDSA"}', payload(), HS),
    code: 'ERR_JWT_ALG_NOT_ALLOWED',
  },
  {
    name: 'key confusion: HS256 keyed with the public PEM, to an ES256 validator',
    token: signRaw(HS_HEADER, payload(), { hmac: Buffer.from(keys.publicPem) }),
    verifier: 'es',
    code: 'ERR_JWT_ALG_NOT_ALLOWED',
  },
  { name: 'ES256 token to an HS256 validator', token: VALID_ES, code: 'ERR_JWT_ALG_NOT_ALLOWED' },
  {
    name: 'ES384 header on an ES256 validator',
    token: signRaw('{"alg":"ES384"}', payload(), ES),
    verifier: 'es',
    code: 'ERR_JWT_ALG_NOT_ALLOWED',
  },
  { name: 'alg missing', token: signRaw('{"typ":"JWT"}', payload(), HS), code: 'ERR_JWT_MALFORMED' },
  { name: 'alg null', token: signRaw('{"alg":null}', payload(), HS), code: 'ERR_JWT_MALFORMED' },
  { name: 'alg a number', token: signRaw('{"alg":256}', payload(), HS), code: 'ERR_JWT_MALFORMED' },
  { name: 'alg an array', token: signRaw('{"alg":["HS256"]}', payload(), HS), code: 'ERR_JWT_MALFORMED' },
  { name: 'header is an array', token: signRaw('["HS256"]', payload(), HS), code: 'ERR_JWT_MALFORMED' },
  { name: 'header is not JSON', token: signRaw('alg=HS256', payload(), HS), code: 'ERR_JWT_MALFORMED' },
  {
    name: 'header kid is a number',
    token: signRaw('{"alg":"HS256","kid":1}', payload(), HS),
    code: 'ERR_JWT_MALFORMED',
  },
  {
    name: 'header typ is an object',
    token: signRaw('{"alg":"HS256","typ":{}}', payload(), HS),
    code: 'ERR_JWT_MALFORMED',
  },
  {
    name: 'header x5u is a boolean',
    token: signRaw('{"alg":"HS256","x5u":true}', payload(), HS),
    code: 'ERR_JWT_MALFORMED',
  },
  {
    name: 'header x5c is a string',
    token: signRaw('{"alg":"HS256","x5c":"MIIB"}', payload(), HS),
    code: 'ERR_JWT_MALFORMED',
  },
  {
    name: 'header x5c holds a number',
    token: signRaw('{"alg":"HS256","x5c":["a",1]}', payload(), HS),
    code: 'ERR_JWT_MALFORMED',
  },
  {
    name: 'header jwk present (embedded key)',
    token: signRaw(JSON.stringify({ alg: 'ES256', jwk: keys.publicJwk }), payload(), ES),
    verifier: 'es',
    code: 'ERR_JWT_MALFORMED',
  },
  {
    name: 'header duplicate alg',
    token: signRaw('{"alg":"HS256","alg":"HS256"}', payload(), HS),
    code: 'ERR_JWT_MALFORMED',
  },
  {
    name: 'header duplicate typ',
    token: signRaw('{"typ":"JWT","alg":"HS256","typ":"JWT"}', payload(), HS),
    code: 'ERR_JWT_MALFORMED',
  },
  {
    name: 'header with a BOM',
    token: signRaw(`\ufeff${HS_HEADER}`, payload(), HS),
    code: 'ERR_JWT_MALFORMED',
  },

  // Compact form and base64url (§1.1)
  {
    name: 'padded header segment',
    token: signSegments(padded(b64u(HS_HEADER_28)), b64u(payload()), HS),
    code: 'ERR_JWT_MALFORMED',
  },
  {
    name: 'padded payload segment',
    token: signSegments(b64u(HS_HEADER), padded(b64u(oddPayload())), HS),
    code: 'ERR_JWT_MALFORMED',
  },
  { name: 'padded HS256 signature', token: `${VALID}=`, code: 'ERR_JWT_SIGNATURE_INVALID' },
  {
    name: 'padded ES256 signature',
    token: `${VALID_ES}==`,
    verifier: 'es',
    code: 'ERR_JWT_SIGNATURE_INVALID',
  },
  {
    name: 'non-canonical trailing bits in the header',
    token: signSegments(nonCanonical(b64u(HS_HEADER_28)), b64u(payload()), HS),
    code: 'ERR_JWT_MALFORMED',
  },
  {
    name: 'non-canonical trailing bits in the payload',
    token: signSegments(b64u(HS_HEADER), nonCanonical(b64u(oddPayload())), HS),
    code: 'ERR_JWT_MALFORMED',
  },
  {
    name: 'non-canonical trailing bits in the HS256 signature',
    token: withSignature(VALID, nonCanonical(segments(VALID)[2])),
    code: 'ERR_JWT_SIGNATURE_INVALID',
  },
  {
    name: 'non-canonical trailing bits in the ES256 signature',
    token: withSignature(VALID_ES, nonCanonical(segments(VALID_ES)[2])),
    verifier: 'es',
    code: 'ERR_JWT_SIGNATURE_INVALID',
  },
  {
    name: 'standard-alphabet (+/) signature',
    token: withSignature(
      VALID,
      Buffer.from(segments(VALID)[2], 'base64url').toString('base64').replace(/=+$/, ''),
    ),
    code: 'ERR_JWT_SIGNATURE_INVALID',
  },
  { name: 'two segments', token: VALID.slice(0, VALID.lastIndexOf('.')), code: 'ERR_JWT_MALFORMED' },
  { name: 'four segments', token: `${VALID}.${segments(VALID)[2]}`, code: 'ERR_JWT_MALFORMED' },
  { name: 'trailing dot (empty fourth segment)', token: `${VALID}.`, code: 'ERR_JWT_MALFORMED' },
  { name: 'empty header segment', token: signSegments('', b64u(payload()), HS), code: 'ERR_JWT_MALFORMED' },
  {
    name: 'empty payload segment (signed)',
    token: signSegments(b64u(HS_HEADER), '', HS),
    code: 'ERR_JWT_MALFORMED',
  },
  { name: 'empty signature segment', token: withSignature(VALID, ''), code: 'ERR_JWT_SIGNATURE_INVALID' },
  { name: 'only dots', token: '..', code: 'ERR_JWT_MALFORMED' },
  { name: 'leading space', token: ` ${VALID}`, code: 'ERR_JWT_MALFORMED' },
  { name: 'trailing newline', token: `${VALID}\n`, code: 'ERR_JWT_SIGNATURE_INVALID' },
  {
    name: 'space inside the payload segment (signed)',
    token: signSegments(b64u(HS_HEADER), `${b64u(payload()).slice(0, 10)} ${b64u(payload()).slice(10)}`, HS),
    code: 'ERR_JWT_MALFORMED',
  },
  {
    name: 'tab inside the header segment',
    token: signSegments(`${b64u(HS_HEADER).slice(0, 8)}\t${b64u(HS_HEADER).slice(8)}`, b64u(payload()), HS),
    code: 'ERR_JWT_MALFORMED',
  },
  { name: 'Bearer prefix', token: `Bearer ${VALID}`, code: 'ERR_JWT_MALFORMED' },

  // Claim types (§1.3 edge matrix)
  { name: 'iat 1.5', token: validHs({ iat: '1.5' }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'iat 1700000000.0', token: validHs({ iat: '1700000000.0' }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'iat 1e10', token: validHs({ iat: '1e10' }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'exp 1.7000036E9', token: validHs({ exp: '1.7000036E9' }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'exp with a fraction', token: validHs({ exp: `${NOW + 3600}.5` }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'iat -1', token: validHs({ iat: '-1' }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'exp negative', token: validHs({ exp: `-${NOW + 3600}` }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'iat -0', token: validHs({ iat: '-0' }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'iat a string', token: validHs({ iat: `"${NOW}"` }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'exp a string', token: validHs({ exp: `"${NOW + 3600}"` }), code: 'ERR_JWT_CLAIMS_INVALID' },
  {
    name: 'exp = 2^64 (u64 overflow)',
    token: validHs({ exp: '18446744073709551616' }),
    code: 'ERR_JWT_CLAIMS_INVALID',
  },
  { name: 'exp = 1e400 (f64 overflow)', token: validHs({ exp: '1e400' }), code: 'ERR_JWT_MALFORMED' },
  { name: 'exp null', token: validHs({ exp: 'null' }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'exp true', token: validHs({ exp: 'true' }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'aud as an array', token: validHs({ aud: '["ati-proxy"]' }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'aud null', token: validHs({ aud: 'null' }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'sub missing', token: validHs({ sub: undefined }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'aud missing', token: validHs({ aud: undefined }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'iat missing', token: validHs({ iat: undefined }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'exp missing', token: validHs({ exp: undefined }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'scope missing', token: validHs({ scope: undefined }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'scope null', token: validHs({ scope: 'null' }), code: 'ERR_JWT_CLAIMS_INVALID' },
  {
    name: 'scope as an array',
    token: validHs({ scope: '["tool:web_search"]' }),
    code: 'ERR_JWT_CLAIMS_INVALID',
  },
  { name: 'sub a number', token: validHs({ sub: '7' }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'iss as an array', token: validHs({ iss: '["x"]' }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'jti a number', token: validHs({ jti: '1' }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'job_id a number', token: validHs({ job_id: '1' }), code: 'ERR_JWT_CLAIMS_INVALID' },
  // jsonwebtoken also reads nbf (ClaimsForValidation, numeric_type via deserialize_any): a non-empty
  // array or object is left half-read by serde_json, so the next key fails to parse and the proxy answers 401.
  { name: 'nbf a non-empty array', token: validHs({ nbf: '[1]' }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'nbf a non-empty object', token: validHs({ nbf: '{"a":1}' }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'nbf a nested empty array', token: validHs({ nbf: '[[]]' }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'ati.v 256', token: validHs({ ati: '{"v":256}' }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'ati.v -1', token: validHs({ ati: '{"v":-1}' }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'ati.v 1.5', token: validHs({ ati: '{"v":1.5}' }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'ati.v 1.0', token: validHs({ ati: '{"v":1.0}' }), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'ati.v a string', token: validHs({ ati: '{"v":"1"}' }), code: 'ERR_JWT_CLAIMS_INVALID' },
  {
    name: 'ati.v missing',
    token: validHs({ ati: '{"rate":{"tool:x":"1/s"}}' }),
    code: 'ERR_JWT_CLAIMS_INVALID',
  },
  {
    name: 'ati.rate value a number',
    token: validHs({ ati: '{"v":1,"rate":{"tool:x":5}}' }),
    code: 'ERR_JWT_CLAIMS_INVALID',
  },
  { name: 'ati.rate null', token: validHs({ ati: '{"v":1,"rate":null}' }), code: 'ERR_JWT_CLAIMS_INVALID' },
  {
    name: 'ati.rate an array',
    token: validHs({ ati: '{"v":1,"rate":["1/s"]}' }),
    code: 'ERR_JWT_CLAIMS_INVALID',
  },
  { name: 'ati a string', token: validHs({ ati: '"v1"' }), code: 'ERR_JWT_CLAIMS_INVALID' },
  {
    name: 'duplicate sub in the payload',
    token: signRaw(HS_HEADER, payload({ sub: '"a","sub":"b"' }), HS),
    code: 'ERR_JWT_MALFORMED',
  },
  {
    name: 'duplicate key spelled with an escape',
    token: signRaw(HS_HEADER, payload({ sub: '"a","s\\u0075b":"b"' }), HS),
    code: 'ERR_JWT_MALFORMED',
  },
  {
    name: 'payload is an array',
    token: signRaw(HS_HEADER, `[${payload()}]`, HS),
    code: 'ERR_JWT_CLAIMS_INVALID',
  },
  {
    name: 'payload is a string',
    token: signRaw(HS_HEADER, JSON.stringify(payload()), HS),
    code: 'ERR_JWT_CLAIMS_INVALID',
  },
  { name: 'payload is a number', token: signRaw(HS_HEADER, '42', HS), code: 'ERR_JWT_CLAIMS_INVALID' },
  { name: 'payload is null', token: signRaw(HS_HEADER, 'null', HS), code: 'ERR_JWT_CLAIMS_INVALID' },

  // JSON text (serde_json strictness)
  {
    name: 'BOM-prefixed payload',
    token: signRaw(HS_HEADER, `\ufeff${payload()}`, HS),
    code: 'ERR_JWT_MALFORMED',
  },
  {
    name: 'invalid UTF-8 in a string (C3 28)',
    token: signRaw(
      HS_HEADER,
      Buffer.concat([
        Buffer.from(payload({ sub: '"a' }).slice(0, -1)),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}'),
      ]),
      HS,
    ),
    code: 'ERR_JWT_MALFORMED',
  },
  {
    name: 'overlong UTF-8 encoding of "/" (C0 AF)',
    token: signRaw(
      HS_HEADER,
      Buffer.concat([
        Buffer.from(payload({ x: '"' }).slice(0, -1)),
        Buffer.from([0xc0, 0xaf]),
        Buffer.from('"}'),
      ]),
      HS,
    ),
    code: 'ERR_JWT_MALFORMED',
  },
  {
    name: 'UTF-16 payload',
    token: signRaw(HS_HEADER, Buffer.from(payload(), 'utf16le'), HS),
    code: 'ERR_JWT_MALFORMED',
  },
  {
    name: 'lone high surrogate escape in sub',
    token: validHs({ sub: '"agent\\ud800"' }),
    code: 'ERR_JWT_MALFORMED',
  },
  {
    name: 'lone low surrogate escape in an extra claim',
    token: validHs({ note: '"\\udc00x"' }),
    code: 'ERR_JWT_MALFORMED',
  },
  {
    name: 'reversed surrogate pair',
    token: validHs({ note: '"\\ude00\\ud83d"' }),
    code: 'ERR_JWT_MALFORMED',
  },
  {
    name: 'nesting 200 deep in an extra claim',
    token: validHs({ deep: nested(200) }),
    code: 'ERR_JWT_MALFORMED',
  },
  {
    name: 'trailing characters after the object',
    token: signRaw(HS_HEADER, `${payload()}x`, HS),
    code: 'ERR_JWT_MALFORMED',
  },
  { name: 'two objects', token: signRaw(HS_HEADER, `${payload()}{}`, HS), code: 'ERR_JWT_MALFORMED' },
  {
    name: 'trailing comma',
    token: signRaw(HS_HEADER, `${payload().slice(0, -1)},}`, HS),
    code: 'ERR_JWT_MALFORMED',
  },
  { name: 'single-quoted string', token: validHs({ note: "'x'" }), code: 'ERR_JWT_MALFORMED' },
  { name: 'NaN literal', token: validHs({ note: 'NaN' }), code: 'ERR_JWT_MALFORMED' },
  { name: 'leading zero number', token: validHs({ iat: '01700000000' }), code: 'ERR_JWT_MALFORMED' },
  {
    name: 'raw control character in a string',
    token: validHs({ sub: '"a\u0001b"' }),
    code: 'ERR_JWT_MALFORMED',
  },
  { name: 'invalid escape \\x', token: validHs({ sub: '"a\\x41"' }), code: 'ERR_JWT_MALFORMED' },
  { name: 'JSON comment', token: signRaw(HS_HEADER, `/* c */${payload()}`, HS), code: 'ERR_JWT_MALFORMED' },
  {
    name: 'non-breaking space as JSON whitespace',
    token: signRaw(HS_HEADER, `\u00a0${payload()}`, HS),
    code: 'ERR_JWT_MALFORMED',
  },

  // Size and signature (§1.5, §1.6)
  {
    name: 'oversize token (> 64 KiB)',
    token: validHs({ pad: JSON.stringify('x'.repeat(70_000)) }),
    code: 'ERR_JWT_TOO_LARGE',
  },
  {
    name: 'maxTokenLength below the token length',
    token: VALID,
    options: { maxTokenLength: VALID.length - 1 },
    code: 'ERR_JWT_TOO_LARGE',
  },
  {
    name: 'DER-encoded ES256 signature',
    token: withSignature(VALID_ES, b64u(p1363ToDer(Buffer.from(segments(VALID_ES)[2], 'base64url')))),
    verifier: 'es',
    code: 'ERR_JWT_SIGNATURE_INVALID',
  },
  {
    name: 'truncated ES256 signature (63 bytes)',
    token: withSignature(VALID_ES, b64u(Buffer.from(segments(VALID_ES)[2], 'base64url').subarray(0, 63))),
    verifier: 'es',
    code: 'ERR_JWT_SIGNATURE_INVALID',
  },
  {
    name: 'truncated HS256 signature (42 chars)',
    token: VALID.slice(0, -1),
    code: 'ERR_JWT_SIGNATURE_INVALID',
  },
  {
    name: 'HS256 signature of a different token',
    token: withSignature(VALID, segments(validHs({ sub: '"agent-8"' }))[2]),
    code: 'ERR_JWT_SIGNATURE_INVALID',
  },
  {
    name: 'ES256 signature of a different token',
    token: withSignature(VALID_ES, segments(validEs(payload({ sub: '"agent-8"' })))[2]),
    verifier: 'es',
    code: 'ERR_JWT_SIGNATURE_INVALID',
  },
  {
    name: 'HS256 signed with another secret',
    token: signRaw(HS_HEADER, payload(), hs(OTHER_SECRET)),
    code: 'ERR_JWT_SIGNATURE_INVALID',
  },
  {
    name: 'ES256 signed by another key',
    token: signRaw(ES_HEADER, payload(), { ec: other.privateKey }),
    verifier: 'es',
    code: 'ERR_JWT_SIGNATURE_INVALID',
  },
  {
    name: 'ES256 r = s = 0 (CVE-2022-21449)',
    token: withSignature(VALID_ES, b64u(Buffer.alloc(64))),
    verifier: 'es',
    code: 'ERR_JWT_SIGNATURE_INVALID',
  },
  {
    name: 'ES256 r = s = n',
    token: withSignature(VALID_ES, b64u(Buffer.from(P256_N.toString(16).repeat(2), 'hex'))),
    verifier: 'es',
    code: 'ERR_JWT_SIGNATURE_INVALID',
  },
  {
    name: 'payload character above 0xFF that truncates to the signed one',
    token: (() => {
      const [h, p, s] = segments(VALID);
      return `${h}.${p.slice(0, 5)}${String.fromCharCode(p.charCodeAt(5) + 0x100)}${p.slice(6)}.${s}`;
    })(),
    code: 'ERR_JWT_SIGNATURE_INVALID',
  },
  {
    name: 'signature check comes before claim types',
    token: withSignature(validHs({ iat: '1.5' }), segments(VALID)[2]),
    code: 'ERR_JWT_SIGNATURE_INVALID',
  },

  // Time, audience, issuer (§1.4, §1.7)
  { name: 'expired: exp = now - 61', token: validHs({ exp: String(NOW - 61) }), code: 'ERR_JWT_EXPIRED' },
  { name: 'exp = 0', token: validHs({ exp: '0' }), code: 'ERR_JWT_EXPIRED' },
  {
    name: 'leeway 0: exp = now - 1',
    token: validHs({ exp: String(NOW - 1) }),
    options: { leeway: 0 },
    code: 'ERR_JWT_EXPIRED',
  },
  {
    name: 'claim types are checked before expiry',
    token: validHs({ exp: '0', iat: '1.5' }),
    code: 'ERR_JWT_CLAIMS_INVALID',
  },
  {
    name: 'expiry is checked before audience',
    token: validHs({ exp: '0', aud: '"other"' }),
    code: 'ERR_JWT_EXPIRED',
  },
  { name: 'wrong aud', token: validHs({ aud: '"other"' }), code: 'ERR_JWT_AUDIENCE_MISMATCH' },
  {
    name: 'aud differs only in case',
    token: validHs({ aud: '"ATI-PROXY"' }),
    code: 'ERR_JWT_AUDIENCE_MISMATCH',
  },
  { name: 'empty aud', token: validHs({ aud: '""' }), code: 'ERR_JWT_AUDIENCE_MISMATCH' },
  {
    name: 'custom audience option, default aud',
    token: VALID,
    options: { audience: 'staging' },
    code: 'ERR_JWT_AUDIENCE_MISMATCH',
  },
  {
    name: 'issuer mismatch',
    token: VALID,
    options: { issuer: 'someone-else' },
    code: 'ERR_JWT_ISSUER_MISMATCH',
  },
  {
    name: 'issuer required but iss missing',
    token: validHs({ iss: undefined }),
    options: { issuer: 'ati-orchestrator' },
    code: 'ERR_JWT_ISSUER_MISSING',
  },
  {
    name: 'issuer required but iss null',
    token: validHs({ iss: 'null' }),
    options: { issuer: 'ati-orchestrator' },
    code: 'ERR_JWT_ISSUER_MISSING',
  },

  // Not tokens at all
  { name: 'empty string', token: '', code: 'ERR_JWT_MALFORMED' },
  { name: 'junk text', token: 'not-a-token', code: 'ERR_JWT_MALFORMED' },
  { name: 'a.b.c', token: 'a.b.c', code: 'ERR_JWT_MALFORMED' },
  { name: 'dots only (four segments)', token: '...', code: 'ERR_JWT_MALFORMED' },
  { name: 'emoji', token: '\u{1f600}.\u{1f600}.\u{1f600}', code: 'ERR_JWT_MALFORMED' },
  { name: 'null', token: null, code: 'ERR_JWT_MALFORMED' },
  { name: 'undefined', token: undefined, code: 'ERR_JWT_MALFORMED' },
  { name: 'number 42', token: 42, code: 'ERR_JWT_MALFORMED' },
  { name: 'empty object', token: {}, code: 'ERR_JWT_MALFORMED' },
  {
    name: 'object with toString returning a valid token',
    token: { toString: () => VALID },
    code: 'ERR_JWT_MALFORMED',
  },
  { name: 'Buffer of a valid token', token: Buffer.from(VALID), code: 'ERR_JWT_MALFORMED' },
  { name: 'String object of a valid token', token: new String(VALID), code: 'ERR_JWT_MALFORMED' },
  { name: 'array holding a valid token', token: [VALID], code: 'ERR_JWT_MALFORMED' },
];

interface AcceptRow {
  name: string;
  token: string;
  verifier?: Verifier;
  options?: Partial<ValidateTokenOptions>;
  check?: (claims: Awaited<ReturnType<typeof validateToken>>) => void;
}

const ACCEPTED: AcceptRow[] = [
  { name: 'ati.v 255', token: validHs({ ati: '{"v":255}' }), check: (c) => assert.equal(c.ati?.v, 255) },
  { name: 'ati.v 0', token: validHs({ ati: '{"v":0}' }), check: (c) => assert.equal(c.ati?.v, 0) },
  { name: 'ati null', token: validHs({ ati: 'null' }), check: (c) => assert.equal(c.ati, undefined) },
  { name: 'ati absent', token: validHs({ ati: undefined }), check: (c) => assert.equal(c.ati, undefined) },
  {
    name: 'ati with an empty rate and unknown members',
    token: validHs({ ati: '{"v":1,"rate":{},"x":[1,{"y":null}]}' }),
    check: (c) => assert.deepEqual(c.ati, { v: 1, rate: {} }),
  },
  { name: 'jti null', token: validHs({ jti: 'null' }), check: (c) => assert.equal(c.jti, undefined) },
  { name: 'iss null', token: validHs({ iss: 'null' }), check: (c) => assert.equal(c.iss, undefined) },
  { name: 'iss absent and no issuer option', token: validHs({ iss: undefined }) },
  {
    name: 'iss absent, issuer option, requireIssuer false (the proxy’s rule)',
    token: validHs({ iss: undefined }),
    options: { issuer: 'ati-orchestrator', requireIssuer: false },
  },
  { name: 'matching issuer option', token: VALID, options: { issuer: 'ati-orchestrator' } },
  {
    name: 'extra claims of every JSON type',
    token: validHs({ x: '{"a":[1,-2,3.5e-3,true,false,null,"s"]}', y: '""', z: '-0.0' }),
  },
  { name: 'nbf far in the future (ignored)', token: validHs({ nbf: String(NOW + 10 ** 9) }) },
  {
    name: 'nbf an empty array or object (fully consumed by serde_json)',
    token: validHs({ nbf: '[ ]', x: '{"nbf":[1]}' }),
  },
  { name: 'nbf {}', token: validHs({ nbf: '{}' }) },
  {
    name: 'nbf negative, fractional, null, boolean (swallowed by numeric_type)',
    token: validHs({ nbf: '-5', a: '{"nbf":1.5}' }),
  },
  { name: 'nbf 1.5', token: validHs({ nbf: '1.5' }) },
  { name: 'nbf null', token: validHs({ nbf: 'null' }) },
  { name: 'nbf true', token: validHs({ nbf: 'true' }) },
  { name: 'nbf of the wrong type (ignored)', token: validHs({ nbf: '"tomorrow"' }) },
  { name: 'iat far in the future (ignored)', token: validHs({ iat: String(NOW + 10 ** 6) }) },
  {
    name: 'exp exactly now - 60',
    token: validHs({ exp: String(NOW - 60) }),
    check: (c) => assert.equal(c.exp, NOW - 60),
  },
  { name: 'leeway 0: exp exactly now', token: validHs({ exp: String(NOW) }), options: { leeway: 0 } },
  {
    name: 'huge exp 2^60',
    token: validHs({ exp: '1152921504606846976' }),
    check: (c) => assert.equal(c.exp, 2 ** 60),
  },
  { name: 'exp = u64 max', token: validHs({ exp: '18446744073709551615' }) },
  { name: 'iat 0', token: validHs({ iat: '0' }), check: (c) => assert.equal(c.iat, 0) },
  {
    name: 'JSON whitespace around and inside the payload',
    token: signRaw(HS_HEADER, ` \n\t${payload().replaceAll(',', ' ,\r\n ').replaceAll(':', ' : ')}\r\n `, HS),
  },
  {
    name: 'JSON whitespace inside the header',
    token: signRaw('{\r\n "typ" : "JWT" ,\t"alg":"HS256" }\n', payload(), HS),
  },
  {
    name: 'escaped characters in strings and keys',
    token: signRaw(
      HS_HEADER,
      payload({ sub: undefined }).replace('{', '{"s\\u0075b":"agent\\u002d7\\/x\\"q\\\\ \\t\\ud83d\\ude00",'),
      HS,
    ),
    check: (c) => assert.equal(c.sub, 'agent-7/x"q\\ \t\u{1f600}'),
  },
  {
    name: 'raw UTF-8 strings',
    token: validHs({ sub: '"agént-日本-\u{1f600}"' }),
    check: (c) => assert.equal(c.sub, 'agént-日本-\u{1f600}'),
  },
  { name: 'empty scope', token: validHs({ scope: '""' }), check: (c) => assert.deepEqual(c.scopes(), []) },
  { name: 'empty sub (the proxy accepts it)', token: validHs({ sub: '""' }) },
  {
    name: '__proto__ claim is just a claim',
    token: validHs({ __proto__: '{"admin":true}' }),
    check: (c) => assert.equal((c as unknown as Record<string, unknown>).admin, undefined),
  },
  {
    name: 'job_id and sandbox_id',
    token: validHs({ job_id: '"j-1"', sandbox_id: '"sb-1"' }),
    check: (c) => assert.deepEqual([c.job_id, c.sandbox_id], ['j-1', 'sb-1']),
  },
  { name: 'nesting 100 deep in an extra claim', token: validHs({ deep: nested(100) }) },
  { name: 'PyJWT header order', token: signRaw('{"alg":"HS256","typ":"JWT"}', payload(), HS) },
  { name: 'header alg only', token: signRaw('{"alg":"HS256"}', payload(), HS) },
  {
    name: 'header with null typ/kid, crit, unknown fields, x5c strings',
    token: signRaw(
      '{"alg":"HS256","typ":null,"kid":null,"crit":["exp"],"zzz":{"a":1},"x5c":["MIIB"],"x5t#S256":"abc"}',
      payload(),
      HS,
    ),
  },
  { name: 'header with a kid string', token: signRaw('{"alg":"HS256","kid":"ati-proxy-1"}', payload(), HS) },
  { name: 'token exactly maxTokenLength long', token: VALID, options: { maxTokenLength: VALID.length } },
  { name: 'ES256 with a valid signature', token: VALID_ES, verifier: 'es' },
  { name: 'ES256 with the high-S twin of a valid signature', token: highS(VALID_ES), verifier: 'es' },
  {
    name: 'ES256 with an ES header from PyJWT',
    token: signRaw('{"alg":"ES256","typ":"JWT"}', payload(), ES),
    verifier: 'es',
  },
];

function optionsFor(verifier: Verifier | undefined): ValidateTokenOptions {
  return verifier === 'es' ? { publicKey: keys.publicPem } : { secret: SECRET };
}

/** Everything that must never appear in an error text for `token`. */
function secretsOf(token: unknown): string[] {
  const out = [SECRET, OTHER_SECRET, keys.publicPem, keys.privatePem];
  if (typeof token === 'string' && token.length >= 8) {
    out.push(token);
    for (const part of token.split('.')) if (part.length >= 8) out.push(part);
  }
  return out;
}

describe('hostile tokens', () => {
  it(`the table has at least 40 rejected and 20 accepted rows`, () => {
    assert.ok(HOSTILE.length >= 40, String(HOSTILE.length));
    assert.ok(ACCEPTED.length >= 20, String(ACCEPTED.length));
    assert.equal(new Set(HOSTILE.map((r) => r.name)).size, HOSTILE.length, 'row names are unique');
  });

  for (const backend of BACKENDS) {
    describe(`backend ${backend.name}`, () => {
      it('rejects every hostile row with its code and no secret material in the error', async () => {
        const wrong: string[] = [];
        for (const row of HOSTILE) {
          const err = await rejects(() =>
            validateToken(row.token as string, {
              ...optionsFor(row.verifier),
              now: NOW,
              crypto: backend,
              ...row.options,
            }),
          ).catch((e: unknown) => e as Error);
          if (!('code' in err) || err.code !== row.code) {
            wrong.push(`${row.name}: expected ${row.code}, got ${'code' in err ? err.code : err.message}`);
            continue;
          }
          assertNoLeak(err, secretsOf(row.token));
        }
        assert.deepEqual(wrong, []);
      });

      it('accepts every edge row', async () => {
        const wrong: string[] = [];
        for (const row of ACCEPTED) {
          try {
            const claims = await validateToken(row.token, {
              ...optionsFor(row.verifier),
              now: NOW,
              crypto: backend,
              ...row.options,
            });
            row.check?.(claims);
          } catch (err) {
            wrong.push(`${row.name}: ${(err as { code?: string }).code ?? ''} ${(err as Error).message}`);
          }
        }
        assert.deepEqual(wrong, []);
      });
    });
  }

  it('the ES256 table also holds with the key as a JWK and as the proxy JWKS', async () => {
    const jwks = {
      keys: [{ alg: 'ES256', kid: 'ati-proxy-1', kty: 'EC', use: 'sig', x5c: [publicSpkiBase64()] }],
    };
    for (const publicKey of [keys.publicJwk as Record<string, unknown>, jwks]) {
      for (const row of HOSTILE.filter((r) => r.verifier === 'es')) {
        const err = await rejects(() => validateToken(row.token as string, { publicKey, now: NOW }));
        assert.equal(err.code, row.code, row.name);
      }
      await validateToken(VALID_ES, { publicKey, now: NOW });
    }
  });
});

function publicSpkiBase64(): string {
  return keys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
}

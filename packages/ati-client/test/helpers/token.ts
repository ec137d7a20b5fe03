/**
 * Shared fixtures for the token-core tests. Everything here is built with
 * node:crypto and Buffer directly, never with the code under test, so a
 * hostile token differs from a valid one only in the defect it targets.
 */
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { AtiError } from '../../src/errors.ts';
import type { CryptoBackend } from '../../src/jws/backend.ts';
import { nodeCryptoBackend } from '../../src/jws/backend-node.ts';
import { webCryptoBackend } from '../../src/jws/backend-web.ts';
import { SECRET } from './constants.ts';

/** The clock every table uses (epoch seconds). */
export const NOW = 1_700_000_100;

/** Both crypto backends, for describe-each loops. */
export const BACKENDS: readonly CryptoBackend[] = [nodeCryptoBackend, webCryptoBackend];

/** base64url without padding of UTF-8 text or raw bytes. */
export function b64u(data: string | Uint8Array): string {
  return Buffer.from(data).toString('base64url');
}

/** Append the `=` padding a standard encoder would add; throws if the segment needs none. */
export function padded(segment: string): string {
  const n = (4 - (segment.length % 4)) % 4;
  assert.ok(n > 0, 'fixture error: this segment needs no padding, pick another length');
  return segment + '='.repeat(n);
}

/** An ES256 key pair in every form the tests need. */
export interface EsKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  privatePem: string;
  publicPem: string;
  privateJwk: JsonWebKey;
  publicJwk: JsonWebKey;
  /** SEC1 `EC PRIVATE KEY` PEM of the same key (the proxy refuses it). */
  sec1Pem: string;
}

/** A fresh P-256 key pair (node:crypto). */
export function makeEsKeys(): EsKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privateKey,
    publicKey,
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    privateJwk: privateKey.export({ format: 'jwk' }),
    publicJwk: publicKey.export({ format: 'jwk' }),
    sec1Pem: privateKey.export({ format: 'pem', type: 'sec1' }).toString(),
  };
}

/** How {@link signRaw} signs. */
export type Signer =
  | { hmac: Uint8Array; hash?: 'sha256' | 'sha384' | 'sha512' }
  | { ec: KeyObject; dsaEncoding?: 'ieee-p1363' | 'der' };

/** HMAC with the secret's hex-decoded bytes (what the proxy does with `ATI_JWT_SECRET`). */
export function hs(secret: string = SECRET, hash: 'sha256' | 'sha384' | 'sha512' = 'sha256'): Signer {
  return { hmac: Buffer.from(secret, 'hex'), hash };
}

/** Signature segment over `signingInput` (its UTF-8 bytes). */
export function signature(signingInput: string, signer: Signer): string {
  if ('hmac' in signer) {
    return createHmac(signer.hash ?? 'sha256', signer.hmac)
      .update(signingInput, 'utf8')
      .digest('base64url');
  }
  return sign('sha256', Buffer.from(signingInput, 'utf8'), {
    key: signer.ec,
    dsaEncoding: signer.dsaEncoding ?? 'ieee-p1363',
  }).toString('base64url');
}

/** Sign arbitrary header/payload JSON text (or raw bytes) into a compact JWS. */
export function signRaw(header: string | Uint8Array, payload: string | Uint8Array, signer: Signer): string {
  const input = `${b64u(header)}.${b64u(payload)}`;
  return `${input}.${signature(input, signer)}`;
}

/** Sign already-encoded segments exactly as given. */
export function signSegments(headerB64: string, payloadB64: string, signer: Signer): string {
  const input = `${headerB64}.${payloadB64}`;
  return `${input}.${signature(input, signer)}`;
}

export const HS_HEADER = '{"typ":"JWT","alg":"HS256"}';
export const ES_HEADER = '{"typ":"JWT","alg":"ES256"}';

/** Raw JSON text of each claim of a valid token, in the Rust order. */
const BASE_CLAIMS: ReadonlyArray<readonly [string, string]> = [
  ['iss', '"ati-orchestrator"'],
  ['sub', '"agent-7"'],
  ['aud', '"ati-proxy"'],
  ['iat', String(NOW - 100)],
  ['exp', String(NOW + 3600)],
  ['jti', '"550e8400-e29b-41d4-a716-446655440000"'],
  ['scope', '"tool:web_search tool:github:*"'],
  ['ati', '{"v":1,"rate":{"tool:github:*":"10/hour"}}'],
];

/**
 * Payload JSON text of a valid token with some claims replaced by raw JSON
 * text (`undefined` removes a claim; unknown names are appended).
 */
export function payload(overrides: Record<string, string | undefined> = {}): string {
  const parts: string[] = [];
  const seen = new Set<string>();
  for (const [k, v] of BASE_CLAIMS) {
    seen.add(k);
    const value = Object.hasOwn(overrides, k) ? overrides[k] : v;
    if (value !== undefined) parts.push(`${JSON.stringify(k)}:${value}`);
  }
  for (const [k, v] of Object.entries(overrides)) {
    if (!seen.has(k) && v !== undefined) parts.push(`${JSON.stringify(k)}:${v}`);
  }
  return `{${parts.join(',')}}`;
}

/** A valid HS256 token for {@link SECRET}, built independently of the code under test. */
export function validHs(overrides: Record<string, string | undefined> = {}): string {
  return signRaw(HS_HEADER, payload(overrides), hs());
}

/** Run `fn`, require it to reject with an {@link AtiError}, and return the error. */
export async function rejects(fn: () => unknown): Promise<AtiError> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof AtiError, `expected an AtiError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

/** Assert that neither the message nor the cause's message quotes any of `secrets`. */
export function assertNoLeak(err: AtiError, secrets: readonly string[]): void {
  const texts = [err.message, String(err.stack ?? '')];
  const cause = err.cause;
  if (cause instanceof Error) texts.push(cause.message);
  for (const s of secrets) {
    if (s.length < 8) continue;
    for (const t of texts) assert.ok(!t.includes(s), `error text quotes secret material (${err.code})`);
  }
}

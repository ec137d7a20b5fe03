/**
 * Helpers for dev proxy tests: raw HTTP over node:http (no URL
 * normalization, so `/skills/%2e%2e/bundle` goes out as written), tokens from
 * the real issuer, and a hand-signed HS256 token for claims the issuer
 * refuses (an invalid rate spec).
 */

import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { issueToken } from 'ati-client';
import { OTHER_SECRET, SECRET } from '../../ati-client/test/helpers/constants.ts';

/**
 * The HS256 secret and a "wrong key" one: the same values as the client's
 * tests (one place for both packages; that module has no imports).
 */
export { OTHER_SECRET, SECRET };
/** The fixed clock of the tests, epoch seconds. */
export const T0 = 1_800_000_000;

/** What came back over the wire. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

/** Send one request exactly as given (method, raw path, headers, body) and collect the answer. */
export function raw(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string | Uint8Array,
): Promise<RawResponse> {
  const u = new URL(baseUrl);
  const all: Record<string, string> = { ...headers };
  // Node sends a GET body without framing unless told its length.
  if (body !== undefined) all['content-length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, method, path, headers: all, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const b = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b, text: b.toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

/** A token from the lead's issuer, HS256 with {@link SECRET} unless told otherwise. */
export function token(
  scope: string,
  options: {
    secret?: string;
    sub?: string;
    ttlSeconds?: number;
    now?: number;
    rate?: Record<string, string>;
    aud?: string;
    iss?: string | null;
  } = {},
): Promise<string> {
  return issueToken({
    secret: options.secret ?? SECRET,
    sub: options.sub ?? 'agent-test',
    scope,
    ttlSeconds: options.ttlSeconds ?? 3600,
    now: options.now ?? T0,
    rate: options.rate,
    aud: options.aud,
    iss: options.iss,
  });
}

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/** An HS256 token with exactly these claims, signed by hand (the issuer validates rate specs; the proxy does not). */
export function handSigned(claims: Record<string, unknown>, secret = SECRET): string {
  const head = b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }));
  const body = b64url(JSON.stringify(claims));
  const sig = createHmac('sha256', Buffer.from(secret, 'hex')).update(`${head}.${body}`).digest();
  return `${head}.${body}.${b64url(sig)}`;
}

/** `{ authorization: 'Bearer <t>' }` */
export function bearer(t: string): Record<string, string> {
  return { authorization: `Bearer ${t}` };
}

export const JSON_CT = { 'content-type': 'application/json' } as const;

/** The sample skills on disk, shipped with the package (`fixtures/skills`). */
export const FIXTURE_SKILLS = fileURLToPath(new URL('../fixtures/skills', import.meta.url));

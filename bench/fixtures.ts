/**
 * The one ATI-shaped claim set every peer signs and verifies, and helpers to
 * check that a peer did the real work before it is timed.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { validateToken } from '../packages/ati-client/src/index.ts';

export const AUDIENCE = 'ati-proxy';
export const ISSUER = 'ati-orchestrator';
export const LEEWAY_SECONDS = 60;
export const SCOPE = 'tool:web_search tool:github:* tool:slack:post_message skill:research-assistant';
export const RATE = { 'tool:github:*': '10/hour' } as const;

/** ATI claims in the Rust proxy's field order, valid for an hour from now. */
export type AtiClaims = {
  iss: string;
  sub: string;
  aud: string;
  iat: number;
  exp: number;
  jti: string;
  scope: string;
  ati: { v: number; rate: Record<string, string> };
};

export function makeClaims(): AtiClaims {
  const iat = Math.floor(Date.now() / 1000);
  return {
    iss: ISSUER,
    sub: 'agent-7',
    aud: AUDIENCE,
    iat,
    exp: iat + 3600,
    jti: '550e8400-e29b-41d4-a716-446655440000',
    scope: SCOPE,
    ati: { v: 1, rate: { ...RATE } },
  };
}

/** The `issueToken` options (minus the key) that produce exactly `claims`. */
export function issueOptionsFor(claims: AtiClaims) {
  return {
    sub: claims.sub,
    scope: claims.scope,
    aud: claims.aud,
    iss: claims.iss,
    jti: claims.jti,
    rate: RATE,
    now: claims.iat,
    ttlSeconds: claims.exp - claims.iat,
  };
}

/** Fail loudly unless `token` carries exactly `claims` (checked with our validator and a key). */
export async function assertIssued(
  peer: string,
  token: unknown,
  claims: AtiClaims,
  key: { secret: string } | { publicKey: string },
): Promise<void> {
  if (typeof token !== 'string') throw new Error(`${peer}: issue did not return a string`);
  const got = (await validateToken(token, { ...key, issuer: ISSUER })).toJSON();
  if (JSON.stringify(got) !== JSON.stringify(claims)) throw new Error(`${peer}: issued claims differ`);
}

function member(obj: unknown, key: string): unknown {
  return typeof obj === 'object' && obj !== null ? Reflect.get(obj, key) : undefined;
}

/** Fail loudly unless a verifier's result (claims, or jose's `{ payload }`) has the expected sub and scope. */
export function assertVerified(peer: string, result: unknown, claims: AtiClaims): void {
  const p = member(result, 'payload') ?? result;
  if (member(p, 'sub') !== claims.sub || member(p, 'scope') !== claims.scope) {
    throw new Error(`${peer}: verify returned wrong claims`);
  }
}

/** Installed versions of the JS peers, for the record. */
export function peerVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['jose', 'fast-jwt', 'jsonwebtoken']) {
    const pkg: unknown = JSON.parse(
      readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8'),
    );
    const v = member(pkg, 'version');
    out[name] = typeof v === 'string' ? v : 'unknown';
  }
  return out;
}

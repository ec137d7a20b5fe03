/**
 * The dev proxy's state, built once from its options and checked then (as
 * the proxy checks its flags at startup): keys, clock, limits, the registry
 * and the rate-limit windows. Every layer and route reads it.
 *
 * @module
 */

import {
  AtiError,
  clockSeconds,
  decodeSecret,
  formatWindow,
  type Jwks,
  matchesWildcard,
  proxyRateSpec,
  type RateSpec,
  ScopeSet,
  type TokenClaims,
  toJwks,
} from 'ati-client/internal';
import { type Keys, openKeys } from './keys/open.ts';
import { Registry } from './registry.ts';
import { type SignatureLayer, signatureLayer } from './signatures.ts';
import type { DevProxyOptions, DevSkill } from './types.ts';

const DEFAULT_VERSION = '0.7.10';
const DEFAULT_MAX_BODY = 8 * 1024 * 1024;

/** What every layer and route of one dev proxy shares. */
export interface DevState {
  readonly options: DevProxyOptions;
  /** The tools, skills and catalog served (replaced once when `skillsDir` has loaded). */
  readonly registry: Registry;
  /** Settles when `skillsDir` has loaded; rejects when it could not be. */
  readonly skillsReady: Promise<void>;
  /** `skillsReady`, and the key store opened when virtual keys are configured. */
  readonly ready: Promise<void>;
  /** The virtual-key store, when `adminToken`, `databaseUrl` or `keyDatabase` is set. */
  readonly keys: Keys | undefined;
  /** The version `/health` and MCP `initialize` report. */
  readonly version: string;
  /** The main router's body limit in bytes. */
  readonly maxBody: number;
  /** Whether a JWT key is configured (otherwise every request has all scopes). */
  readonly authEnabled: boolean;
  /** The ES256 public key, as given. */
  readonly publicKey: DevProxyOptions['publicKey'];
  /** `/.well-known/jwks.json`, when an ES256 key is configured. */
  readonly jwks: Jwks | undefined;
  /** The signature layer, when signatures are checked. */
  readonly signatures: SignatureLayer | undefined;
  /** Rate-limit windows, shared by every token (contract §3). */
  readonly rates: RateWindows;
  /** The clock in epoch seconds, as given (`options.now` or the system clock). */
  clock(): number;
  /** The clock in whole epoch seconds. */
  now(): number;
}

/**
 * Check the options and build the state.
 *
 * @throws {TokenError} `ERR_KEY_INVALID` for an unusable `secret` or `publicKey`.
 * @throws {AtiError} `ERR_INVALID_ARGUMENT` for both keys at once, or invalid fixtures/options.
 */
export function createState(o: DevProxyOptions): DevState {
  if (o.secret !== undefined && o.publicKey !== undefined) {
    throw new AtiError('ERR_INVALID_ARGUMENT', 'Give secret (HS256) or publicKey (ES256), not both');
  }
  if (o.secret !== undefined) decodeSecret(o.secret);
  const publicKey = o.publicKey;
  const jwks = publicKey === undefined ? undefined : toJwks(publicKey, { format: 'ati' });
  const maxBody = o.maxBodyBytes ?? DEFAULT_MAX_BODY;
  if (!Number.isSafeInteger(maxBody) || maxBody < 0) {
    throw new AtiError('ERR_INVALID_ARGUMENT', 'maxBodyBytes must be a non-negative integer');
  }
  if (o.now !== undefined && typeof o.now !== 'function' && typeof o.now !== 'number') {
    throw new AtiError('ERR_INVALID_ARGUMENT', 'now must be epoch seconds or a function returning them');
  }
  const option = o.now;
  const clock = (): number => clockSeconds(option);
  const now = (): number => Math.floor(clock());
  const signatures = signatureLayer(o.signatures);
  const fixtureSkills: readonly DevSkill[] = o.skills ?? [];
  const keys = openKeys(o);
  let registry = new Registry(o.tools ?? [], o.providers ?? [], fixtureSkills, o.catalog);
  let skillsReady: Promise<void> = Promise.resolve();
  if (o.skillsDir !== undefined) {
    const dir = o.skillsDir;
    skillsReady = (async () => {
      const { loadSkillsDir } = await import('#skills-dir');
      const loaded = await loadSkillsDir(dir);
      registry = new Registry(o.tools ?? [], o.providers ?? [], [...fixtureSkills, ...loaded], o.catalog);
    })();
    skillsReady.catch(() => undefined);
  }
  const ready =
    keys === undefined ? skillsReady : Promise.all([skillsReady, keys.opened]).then(() => undefined);
  ready.catch(() => undefined);
  return {
    options: o,
    get registry() {
      return registry;
    },
    skillsReady,
    ready,
    keys,
    version: o.version ?? DEFAULT_VERSION,
    maxBody,
    authEnabled: o.secret !== undefined || o.publicKey !== undefined,
    publicKey,
    jwks,
    signatures,
    rates: new RateWindows(now),
    clock,
    now,
  };
}

/** The caller's scopes: all of them in unauthenticated dev mode. */
export function scopesOf(state: DevState, claims: TokenClaims | undefined): ScopeSet {
  return claims === undefined ? ScopeSet.unrestricted() : ScopeSet.fromClaims(claims, state.now);
}

/** `ScopeConfig::from_jwt`'s rate config: none when absent or empty, and none at all if any spec is bad. */
export function rateConfig(claims: TokenClaims | undefined): [string, RateSpec][] | undefined {
  const rate = claims?.ati?.rate;
  if (rate === undefined) return undefined;
  const entries = Object.entries(rate);
  if (entries.length === 0) return undefined;
  const out: [string, RateSpec][] = [];
  for (const [pattern, spec] of entries) {
    const parsed = proxyRateSpec(spec);
    if (parsed === undefined) return undefined;
    out.push([pattern, parsed]);
  }
  return out;
}

/** Rate windows keyed by pattern, shared by every token (contract §3). */
export class RateWindows {
  readonly #windows = new Map<string, number[]>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Count a call of `toolName` against `limits`: the 429 message when one is exceeded. */
  check(toolName: string, limits: [string, RateSpec][]): string | undefined {
    const t = this.#now();
    const key = `tool:${toolName}`;
    for (const [pattern, limit] of limits) {
      if (!matchesWildcard(key, pattern)) continue;
      const kept = (this.#windows.get(pattern) ?? []).filter((ts) => ts > t - limit.windowSeconds);
      this.#windows.set(pattern, kept);
      if (kept.length >= limit.count) {
        const w = formatWindow(limit.windowSeconds);
        return `Rate limit exceeded for '${pattern}': ${kept.length}/${w} (limit: ${limit.count}/${w})`;
      }
      kept.push(t);
    }
    return undefined;
  }

  /** Forget every window. */
  clear(): void {
    this.#windows.clear();
  }
}

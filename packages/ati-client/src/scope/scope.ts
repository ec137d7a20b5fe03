/**
 * Scope strings, parsed and matched exactly as the ATI proxy's `core/scope.rs`
 * does (contract §2).
 *
 * @module
 */
import { ScopeError } from '../errors.ts';
import { RUST_WHITESPACE } from '../text/rust.ts';
import { type Clock, clockSeconds } from '../util/values.ts';

/**
 * Split a space-delimited scope claim into its scopes, the way the proxy does
 * (Rust `split_whitespace`: any run of Unicode White_Space separates; leading
 * and trailing whitespace is ignored).
 *
 * @param scope - The `scope` claim. `''` gives `[]`.
 * @returns The scopes in order, duplicates kept.
 * @throws {ScopeError} `ERR_SCOPE_INVALID` when `scope` is not a string.
 * @example
 * ```ts
 * parseScopes('tool:web_search  tool:github:*'); // ['tool:web_search', 'tool:github:*']
 * ```
 */
export function parseScopes(scope: string): string[] {
  if (typeof scope !== 'string') throw new ScopeError('ERR_SCOPE_INVALID', 'scope must be a string');
  const out: string[] = [];
  for (const part of scope.split(RUST_WHITESPACE)) if (part !== '') out.push(part);
  return out;
}

/**
 * The proxy's wildcard match (contract §2.1): `pattern` is `*`, or equals
 * `name`, or ends in `*` and `name` starts with the rest. A `*` anywhere but
 * the end is a literal character.
 *
 * @example
 * ```ts
 * matchesWildcard('tool:github:search', 'tool:github:*'); // true
 * matchesWildcard('anything', '*');                        // true
 * matchesWildcard('tool:a*b', 'tool:a*b');                  // true (literal)
 * ```
 */
export function matchesWildcard(name: string, pattern: string): boolean {
  if (pattern === '*' || pattern === name) return true;
  return pattern.endsWith('*') && name.startsWith(pattern.slice(0, -1));
}

/**
 * The legacy underscore alias of a tool scope (contract §2.3): for
 * `tool:<rest>` where `<rest>` holds a `:`, the first colon of `<rest>` becomes
 * `_` (`tool:github:search` → `tool:github_search`). Otherwise `undefined`.
 *
 * @example
 * ```ts
 * legacyAlias('tool:a:b:c'); // 'tool:a_b:c'
 * legacyAlias('tool:web_search'); // undefined
 * ```
 */
export function legacyAlias(toolScope: string): string | undefined {
  if (!toolScope.startsWith('tool:')) return undefined;
  const rest = toolScope.slice(5);
  const i = rest.indexOf(':');
  if (i < 0) return undefined;
  return `tool:${rest.slice(0, i)}_${rest.slice(i + 1)}`;
}

function matchesAny(required: string, granted: readonly string[]): boolean {
  const alias = legacyAlias(required);
  for (const pattern of granted) {
    if (matchesWildcard(required, pattern)) return true;
    if (alias !== undefined && matchesWildcard(alias, pattern)) return true;
  }
  return false;
}

/**
 * Is `required` granted by `granted`, by the proxy's rules (contract §2.2,
 * without expiry): an empty `required` is always allowed, and the legacy
 * underscore alias of `required` is tried too.
 *
 * This deliberately follows the proxy, not the Python SDK's `check_scope`,
 * which has no alias and denies `''` (README, Compatibility).
 *
 * @param required - The tool's scope, e.g. `tool:github:search_repos`.
 * @param granted - Granted scopes as a list, or a scope claim string (split
 *   like the proxy; never iterated character by character).
 * @throws {ScopeError} `ERR_SCOPE_INVALID` when `required` is not a string or `granted` is neither a string nor an array of strings.
 * @example
 * ```ts
 * checkScope('tool:github:search_repos', ['tool:github:*']); // true
 * checkScope('tool:github:search', 'tool:github_*');         // true (legacy alias)
 * checkScope('tool:secret_api', ['tool:web_search']);        // false
 * ```
 */
export function checkScope(required: string, granted: readonly string[] | string): boolean {
  if (typeof required !== 'string')
    throw new ScopeError('ERR_SCOPE_INVALID', 'required scope must be a string');
  const list = typeof granted === 'string' ? parseScopes(granted) : granted;
  if (!Array.isArray(list) || list.some((s) => typeof s !== 'string')) {
    throw new ScopeError('ERR_SCOPE_INVALID', 'granted scopes must be a string or an array of strings');
  }
  if (required === '') return true;
  return matchesAny(required, list);
}

/** Input of {@link buildScopeString}. */
export interface BuildScopeOptions {
  /** Tool names or patterns; `tool:` is prefixed unless already there. */
  tools?: readonly string[] | undefined;
  /** Skill names; `skill:` is prefixed unless already there. Only exact names grant skills (contract §2.4). */
  skills?: readonly string[] | undefined;
  /** Extra scopes appended verbatim (e.g. `help`, `*`). */
  extra?: readonly string[] | undefined;
}

function checkScopeToken(kind: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new ScopeError('ERR_SCOPE_INVALID', `${kind} entries must be non-empty strings`);
  }
  if (RUST_WHITESPACE.test(value)) {
    throw new ScopeError('ERR_SCOPE_INVALID', `${kind} entry ${JSON.stringify(value)} contains whitespace`);
  }
  return value;
}

/**
 * Build a scope claim the way the Python SDK's `build_scope_string` does:
 * tools get `tool:`, skills get `skill:` (unless already prefixed), `extra` is
 * appended verbatim, joined by one space, in order, without de-duplication.
 *
 * Unlike Python, an entry that is empty or contains whitespace throws, because
 * the proxy would split it into different scopes than the caller meant.
 *
 * @throws {ScopeError} `ERR_SCOPE_INVALID` for an empty or whitespace-bearing entry.
 * @example
 * ```ts
 * buildScopeString({ tools: ['web_search', 'github:*'], skills: ['research'], extra: ['help'] });
 * // 'tool:web_search tool:github:* skill:research help'
 * ```
 */
export function buildScopeString(options: BuildScopeOptions = {}): string {
  const parts: string[] = [];
  for (const t of options.tools ?? []) {
    const v = checkScopeToken('tools', t);
    parts.push(v.startsWith('tool:') ? v : `tool:${v}`);
  }
  for (const s of options.skills ?? []) {
    const v = checkScopeToken('skills', s);
    parts.push(v.startsWith('skill:') ? v : `skill:${v}`);
  }
  for (const e of options.extra ?? []) parts.push(checkScopeToken('extra', e));
  return parts.join(' ');
}

/** Input of {@link ScopeSet.fromClaims}: the claims the proxy's `ScopeConfig` reads. */
export interface ScopeClaimsLike {
  /** Space-delimited scopes. */
  readonly scope: string;
  /** Agent identity (unused by the checks). */
  readonly sub?: string | undefined;
  /** Expiry, epoch seconds; `0` = never. */
  readonly exp: number;
}

/**
 * The set of scopes a token grants, answering questions the way the proxy's
 * `ScopeConfig` does (contract §2.2, §2.5), expiry included.
 *
 * @example
 * ```ts
 * const set = ScopeSet.fromClaims(claims);
 * set.isAllowed('tool:github:search'); // false once now > exp
 * ```
 */
export class ScopeSet {
  /** Granted scopes, in claim order. */
  readonly scopes: readonly string[];
  /** The token's `exp` (epoch seconds); `0` means never expires (Ati-Key tokens). */
  readonly exp: number;
  readonly #now: () => number;

  /**
   * @param scopes - Granted scopes.
   * @param exp - Expiry, epoch seconds; `0` = never.
   * @param now - Clock in epoch seconds (floored), a number or a function. Default: the system clock.
   */
  constructor(scopes: readonly string[], exp = 0, now?: Clock) {
    this.scopes = Object.freeze([...scopes]);
    this.exp = exp;
    this.#now = () => Math.floor(clockSeconds(now));
  }

  /** Build from validated claims (`scope`, `exp`). */
  static fromClaims(claims: ScopeClaimsLike, now?: Clock): ScopeSet {
    return new ScopeSet(parseScopes(claims.scope), claims.exp, now);
  }

  /** A set that allows everything and never expires: the proxy's dev mode (no JWT configured). */
  static unrestricted(): ScopeSet {
    return new ScopeSet(['*'], 0);
  }

  /** Expired as the scope layer sees it: `exp ≠ 0 && now > exp` (stricter than the JWT layer's 60 s leeway). */
  isExpired(): boolean {
    return this.exp !== 0 && this.#now() > this.exp;
  }

  /** Holds the `*` scope. */
  isWildcard(): boolean {
    return this.scopes.includes('*');
  }

  /**
   * The proxy's `is_allowed(tool_scope)`: false once expired, true for `''`,
   * else a granted pattern must match the scope or its legacy alias.
   * (A tool with no scope in its manifest is never checked at all; callers
   * skip this call for those.)
   */
  isAllowed(toolScope: string): boolean {
    if (this.isExpired()) return false;
    if (toolScope === '') return true;
    return matchesAny(toolScope, this.scopes);
  }

  /** Skills granted by exact `skill:<name>` scopes (skill wildcards grant nothing, contract §2.4). */
  skillNames(): string[] {
    const out: string[] = [];
    for (const s of this.scopes) if (s.startsWith('skill:') && s.length > 6) out.push(s.slice(6));
    return out;
  }

  /** Tool names named exactly by `tool:<name>` scopes with no `*`. */
  exactToolNames(): string[] {
    const out: string[] = [];
    for (const s of this.scopes)
      if (s.startsWith('tool:') && !s.endsWith('*') && s.length > 5) out.push(s.slice(5));
    return out;
  }
}

/**
 * The claims of an ATI session token, typed exactly as the proxy's
 * `core::jwt::TokenClaims` deserializes them (contract §1.3).
 *
 * @module
 */
import { TokenError } from '../errors.ts';
import { isJsonObject, type ParsedJson } from '../jws/json.ts';
import { parseScopes } from '../scope/scope.ts';
import { readClaims } from './claim-codec.ts';
import { bad } from './claim-readers.ts';
import { CLAIMS } from './claim-table.ts';

/** The `ati` claim namespace. */
export interface AtiNamespace {
  /** Claims schema version, an integer 0–255 (the proxy reads a `u8`). Issued as `1`. */
  readonly v: number;
  /** Rate limits: scope pattern → spec such as `10/hour`. Empty when absent. */
  readonly rate: Readonly<Record<string, string>>;
}

/** The `ati` namespace as serialized: `rate` omitted when empty. */
function atiJson(ati: AtiNamespace): { v: number; rate?: Record<string, string> } {
  return Object.keys(ati.rate).length > 0 ? { v: ati.v, rate: { ...ati.rate } } : { v: ati.v };
}

/** Fields of a {@link TokenClaims}, under their wire names. */
export interface TokenClaimsInit {
  /** Agent identity. */
  sub: string;
  /** Audience, a single string. */
  aud: string;
  /** Issued-at, epoch seconds (integer). */
  iat: number;
  /** Expiry, epoch seconds (integer). */
  exp: number;
  /** Space-delimited scopes; may be `''`. */
  scope: string;
  /** Issuer; `undefined` = absent. */
  iss?: string | undefined;
  /** Token id; `undefined` = absent. */
  jti?: string | undefined;
  /** The ATI namespace; `undefined` = absent. Copied and frozen. */
  ati?: AtiNamespace | undefined;
  /** Job id (logged by the proxy). */
  job_id?: string | undefined;
  /** Sandbox id (logged by the proxy). */
  sandbox_id?: string | undefined;
}

/**
 * Validated (or, from {@link inspectToken}, merely decoded) token claims,
 * under their wire names. Immutable.
 *
 * @example
 * ```ts
 * const claims = await validateToken(token, { secret });
 * claims.sub;       // 'agent-7'
 * claims.scopes();  // ['tool:web_search', 'tool:github:*']
 * JSON.stringify(claims); // wire-order JSON
 * ```
 */
export class TokenClaims {
  /** Agent identity. */
  readonly sub: string;
  /** Audience, a single string (the proxy rejects arrays). */
  readonly aud: string;
  /** Issued-at, epoch seconds (integer). */
  readonly iat: number;
  /** Expiry, epoch seconds (integer). */
  readonly exp: number;
  /** Space-delimited scopes. May be `''`. */
  readonly scope: string;
  /** Issuer, if present. */
  readonly iss: string | undefined;
  /** Token id, if present. */
  readonly jti: string | undefined;
  /** The ATI namespace (`v`, `rate`), if present. */
  readonly ati: AtiNamespace | undefined;
  /** Job id set by the orchestrator, if present (logged by the proxy). */
  readonly job_id: string | undefined;
  /** Sandbox id set by the orchestrator, if present (logged by the proxy). */
  readonly sandbox_id: string | undefined;

  constructor(init: TokenClaimsInit) {
    this.sub = init.sub;
    this.aud = init.aud;
    this.iat = init.iat;
    this.exp = init.exp;
    this.scope = init.scope;
    this.iss = init.iss;
    this.jti = init.jti;
    const ati = init.ati;
    this.ati =
      ati === undefined
        ? undefined
        : ati === decodedAti
          ? ati
          : Object.freeze({ v: ati.v, rate: Object.freeze({ ...ati.rate }) });
    this.job_id = init.job_id;
    this.sandbox_id = init.sandbox_id;
    Object.freeze(this);
  }

  /** The scopes, split the way the proxy splits them (Unicode whitespace). */
  scopes(): string[] {
    return parseScopes(this.scope);
  }

  /**
   * The claims as a plain object in the proxy's serialization order
   * (`iss?, sub, aud, iat, exp, jti?, scope, ati?, job_id?, sandbox_id?`),
   * absent ones omitted and `ati.rate` omitted when empty.
   */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const { wire } of CLAIMS) {
      const value = this[wire];
      if (value !== undefined) out[wire] = wire === 'ati' ? atiJson(value as AtiNamespace) : value;
    }
    return out;
  }
}

/**
 * The `ati` namespace claimsFromPayload has just built, already in its final
 * frozen form: the TokenClaims constructor keeps it instead of copying it
 * again. Set only for the duration of that one constructor call, so no
 * caller-supplied object can ever match it.
 */
let decodedAti: AtiNamespace | undefined;

/**
 * `nbf` is never validated, but jsonwebtoken 9.3.1 still reads it into its
 * `ClaimsForValidation` through `deserialize_any` and swallows the type
 * error. For a non-empty array or object that leaves serde_json inside the
 * value, so the next key fails to parse and the proxy answers 401. Every other
 * `nbf` (number, string, bool, null, `[]`, `{}`) is consumed and ignored.
 */
function checkNbf(v: ParsedJson | undefined): void {
  if ((Array.isArray(v) && v.length > 0) || (isJsonObject(v) && Object.keys(v).length > 0)) {
    throw bad('nbf', 'a scalar (the proxy rejects a non-empty array or object here)');
  }
}

/**
 * Type-check a decoded payload as the proxy's serde does.
 *
 * @throws {TokenError} `ERR_JWT_CLAIMS_INVALID`.
 */
export function claimsFromPayload(payload: ParsedJson): TokenClaims {
  if (!isJsonObject(payload))
    throw new TokenError('ERR_JWT_CLAIMS_INVALID', 'Token payload must be a JSON object');
  checkNbf(payload.nbf);
  // The claims table's decoder (generated: claim-codec.ts).
  const init = readClaims(payload);
  decodedAti = init.ati;
  try {
    return new TokenClaims(init);
  } finally {
    decodedAti = undefined;
  }
}

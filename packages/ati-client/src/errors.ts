/**
 * Errors thrown by ati-client. Every error is an {@link AtiError} with a stable
 * `code`; callers switch on `err.code`, never on the message. Messages never
 * contain a token, a secret, a key or an Authorization header.
 *
 * @module
 */

/**
 * Every stable error code, grouped by the class that carries it.
 * The README lists each with its meaning.
 */
export const ERROR_CODES = [
  // TokenError: the token itself
  'ERR_JWT_MALFORMED',
  'ERR_JWT_TOO_LARGE',
  'ERR_JWT_ALG_NOT_ALLOWED',
  'ERR_JWT_SIGNATURE_INVALID',
  'ERR_JWT_CLAIMS_INVALID',
  'ERR_JWT_EXPIRED',
  'ERR_JWT_AUDIENCE_MISMATCH',
  'ERR_JWT_ISSUER_MISMATCH',
  'ERR_JWT_ISSUER_MISSING',
  // TokenError: what the caller passed
  'ERR_KEY_INVALID',
  'ERR_INVALID_ARGUMENT',
  'ERR_RATE_SPEC_INVALID',
  // ScopeError
  'ERR_SCOPE_INVALID',
  // ProvisionError
  'ERR_PROVISION_CONFIG',
  // SkillError
  'ERR_SKILL_NAME_UNSAFE',
  'ERR_SKILL_PATH_UNSAFE',
  'ERR_SKILL_BUNDLE_INVALID',
  'ERR_SKILL_WRITE_FAILED',
  // ProxyError
  'ERR_PROXY_HTTP',
  'ERR_PROXY_TIMEOUT',
  'ERR_PROXY_ABORTED',
  'ERR_PROXY_NETWORK',
  'ERR_PROXY_INVALID_RESPONSE',
  'ERR_PROXY_RESPONSE_TOO_LARGE',
  // SessionTokenError
  'ERR_SESSION_TOKEN_READ',
  'ERR_SESSION_TOKEN_WRITE',
  // TokenRotationError
  'ERR_TOKEN_ISSUE_FAILED',
  'ERR_TOKEN_SINK_FAILED',
  'ERR_TOKEN_ROTATION_LAPSED',
  'ERR_TOKEN_ROTATOR_STOPPED',
  // KeyringError
  'ERR_KEYRING_TOO_SHORT',
  'ERR_KEYRING_DECRYPT_FAILED',
  'ERR_KEYRING_FORMAT',
  'ERR_KEYRING_KEY_INVALID',
  'ERR_KEYRING_ENTRY_INVALID',
  'ERR_KEYRING_READ_FAILED',
  'ERR_KEYRING_WRITE_FAILED',
  // UsageError (CLI)
  'ERR_USAGE',
  'ERR_DEV_PROXY_NOT_INSTALLED',
  // AtiError from the dev proxy (ati-dev-proxy): its virtual-key database
  'ERR_KEY_DATABASE',
] as const;

/** One of {@link ERROR_CODES}. */
export type AtiErrorCode = (typeof ERROR_CODES)[number];

/** Options shared by every ati-client error constructor. */
export interface AtiErrorOptions {
  /** The underlying error. It must not carry secret material in its message. */
  cause?: unknown;
}

/**
 * Base class of every error ati-client throws.
 *
 * @example
 * ```ts
 * try { await validateToken(token, { secret }); }
 * catch (err) { if (err instanceof AtiError && err.code === 'ERR_JWT_EXPIRED') refresh(); }
 * ```
 */
export class AtiError extends Error {
  /** Stable, machine-readable code; see {@link ERROR_CODES}. */
  readonly code: AtiErrorCode;

  constructor(code: AtiErrorCode, message: string, options?: AtiErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

/** A token failed to parse, verify or validate, or token input (key, claim, option) was invalid. */
export class TokenError extends AtiError {}

/**
 * The token's signature and shape were fine but it has expired
 * (`exp < now - leeway`). Code `ERR_JWT_EXPIRED`.
 */
export class TokenExpiredError extends TokenError {
  /** The token's `exp`, epoch seconds. */
  readonly exp: number;
  /** The `now` the check used, epoch seconds. */
  readonly now: number;

  constructor(exp: number, now: number) {
    super('ERR_JWT_EXPIRED', `Token has expired (exp ${exp}, now ${now})`);
    this.exp = exp;
    this.now = now;
  }
}

/** A scope string or scope list was invalid. */
export class ScopeError extends AtiError {}

/** The orchestrator was misconfigured or could not provision a sandbox. */
export class ProvisionError extends AtiError {}

/** A skill name, bundle path or bundle payload was unsafe or invalid, or writing it failed. */
export class SkillError extends AtiError {}

/** Extra fields a {@link ProxyError} carries. */
export interface ProxyErrorDetails extends AtiErrorOptions {
  /** HTTP status, when the proxy answered. */
  status?: number;
  /** The proxy's `error` text from a JSON body, when there was one. */
  proxyError?: string;
  /** Request method. */
  method?: string;
  /** Request path (no query string, no host, never a token). */
  path?: string;
}

/**
 * A request to the ATI proxy failed: an HTTP error status, a timeout, an
 * abort, a network failure, or a response that was not the expected shape.
 *
 * @example
 * ```ts
 * try { await client.call('web_search', { query }); }
 * catch (err) { if (err instanceof ProxyError && err.status === 429) backOff(); }
 * ```
 */
export class ProxyError extends AtiError {
  /** HTTP status when the proxy answered (`ERR_PROXY_HTTP`); `undefined` for timeouts and network errors. */
  readonly status: number | undefined;
  /** The proxy's `error` text from a JSON body (e.g. `Tool 'x' not found`), when there was one. */
  readonly proxyError: string | undefined;
  /** Request method, e.g. `GET`. */
  readonly method: string | undefined;
  /** Request path without query string or host, e.g. `/tools/finnhub%3Aquote`. */
  readonly path: string | undefined;

  constructor(code: AtiErrorCode, message: string, details: ProxyErrorDetails = {}) {
    super(code, message, details);
    this.status = details.status;
    this.proxyError = details.proxyError;
    this.method = details.method;
    this.path = details.path;
  }
}

/**
 * Reading the sandbox session token from its file failed (not "no token": a
 * real I/O error, `ERR_SESSION_TOKEN_READ`), or writing it failed
 * (`ERR_SESSION_TOKEN_WRITE`, from `fileSink`).
 */
export class SessionTokenError extends AtiError {}

/**
 * A {@link TokenRotator} could not keep a sandbox's token fresh: issuing
 * failed (`ERR_TOKEN_ISSUE_FAILED`), the sink failed (`ERR_TOKEN_SINK_FAILED`,
 * the sink's error as `cause` unless it quoted the token), the current token
 * expired while retrying (`ERR_TOKEN_ROTATION_LAPSED`), or the rotator was
 * used after `stop()` (`ERR_TOKEN_ROTATOR_STOPPED`).
 *
 * @example
 * ```ts
 * orch.rotateSessionToken({ agentId, sink, onError: (err) => log.warn(err.code, err.attempt) });
 * ```
 */
export class TokenRotationError extends AtiError {
  /** Failed attempts in a row for the current rotation (1 for the first failure); 0 when not an attempt. */
  readonly attempt: number;

  constructor(code: AtiErrorCode, message: string, options: AtiErrorOptions & { attempt?: number } = {}) {
    super(code, message, options);
    this.attempt = options.attempt ?? 0;
  }
}

/**
 * A local-mode keyring (contract §8) could not be sealed, opened, read or
 * written. Messages name entries and paths, never values or keys.
 */
export class KeyringError extends AtiError {}

/** The CLI was called with bad arguments. Exit code 2. */
export class UsageError extends AtiError {
  constructor(message: string) {
    super('ERR_USAGE', message);
  }
}

/**
 * `AtiOrchestrator`: provision sandboxes (a scoped token plus the env vars
 * that point the sandbox at the proxy) and prepare what the agent reads
 * (skills, tool instructions, the skill listing). Port of the Python SDK's
 * `AtiOrchestrator` (contract §10), with its weak spots fixed.
 *
 * @module
 */
import { AtiProxyClient } from './client/client.ts';
import { MAX_TIMEOUT_MS } from './client/transport.ts';
import { AtiError, ProvisionError, TokenError } from './errors.ts';
import type { CryptoBackend } from './jws/backend.ts';
import {
  type PrivateKeyInput,
  type PublicKeyInput,
  privateKeyToPkcs8,
  publicKeyFromPrivate,
  publicKeyToSpki,
} from './jws/keys.ts';
import { decodeSecret } from './jws/resolve.ts';
import { parseRateMap } from './rate/rate.ts';
import { buildScopeString, parseScopes } from './scope/scope.ts';
import { usableSandboxSecret } from './signature/sandbox.ts';
import {
  type DownloadProgress,
  type DownloadSkillsResult,
  downloadSkillBundle,
  downloadSkillBundles,
  fetchSkillListing,
} from './skills/download.ts';
import { buildSkillInstructions, formatToolInstructions } from './skills/instructions.ts';
import { emitWarning } from './text/warn.ts';
import type { TokenClaims } from './token/claims.ts';
import { inspectToken } from './token/inspect.ts';
import { issueToken } from './token/issue.ts';
import { TokenRotator, type TokenRotatorOptions } from './token/rotator.ts';
import { validateToken } from './token/validate.ts';
import { INSPECT, urlOnly } from './util/inspect.ts';
import { aliasedOption, type Clock, mapLimit, setOwn } from './util/values.ts';
import { AtiAdminClient, type IssueKeyOptions } from './virtual-keys/admin-client.ts';
import { JobKey } from './virtual-keys/job-key.ts';

/**
 * Options of the {@link AtiOrchestrator} constructor. Give at most one of
 * `secret` and `privateKey`, and at least one of them or `adminToken` (an
 * orchestrator that only hands out virtual keys needs no signing key).
 */
export interface AtiOrchestratorOptions {
  /** Base URL of the ATI proxy, e.g. `https://ati-proxy.example.com`. Trailing slashes are stripped. */
  proxyUrl: string;
  /** HS256 secret: strict hex, at least 32 bytes (the proxy's `ATI_JWT_SECRET`). */
  secret?: string | undefined;
  /** ES256 private key (PKCS#8 PEM or private JWK); the proxy holds the public half. */
  privateKey?: PrivateKeyInput | undefined;
  /**
   * ES256 public key for {@link AtiOrchestrator.validateToken}.
   * @default derived from `privateKey` when it carries its public point
   */
  publicKey?: PublicKeyInput | undefined;
  /** `aud` of issued tokens and the audience `validateToken` expects. @default 'ati-proxy' */
  audience?: string | undefined;
  /** `iss` of issued tokens; `null` omits it. @default 'ati-orchestrator' */
  issuer?: string | null | undefined;
  /** @deprecated Use `audience` (the name `issueToken` and `validateToken` use). */
  defaultAud?: string | undefined;
  /** @deprecated Use `issuer` (the name `issueToken` and `validateToken` use). */
  defaultIss?: string | null | undefined;
  /** `fetch` used for every proxy request. @default globalThis.fetch */
  fetch?: typeof fetch | undefined;
  /** Per-request timeout in milliseconds. @default 30000 */
  timeoutMs?: number | undefined;
  /** Most tool lookups in flight at once in {@link AtiOrchestrator.buildToolInstructions}. @default 64 */
  concurrency?: number | undefined;
  /** Crypto backend. @default node:crypto on Node, Web Crypto elsewhere */
  crypto?: CryptoBackend | undefined;
  /**
   * The proxy's sandbox signing secret, for a proxy that enforces request
   * signatures (`--sig-verify-mode enforce`, contract §7): every request this
   * orchestrator sends is then signed. See `AtiProxyClientOptions.signingSecret`.
   */
  signingSecret?: string | Uint8Array | undefined;
  /**
   * The proxy's `ATI_ADMIN_TOKEN`, for virtual keys
   * ({@link AtiOrchestrator.issueJobKey}, {@link AtiOrchestrator.adminClient}).
   * Never quoted in an error, `inspect()` or JSON.
   */
  adminToken?: string | undefined;
}

/** Options of {@link AtiOrchestrator.issueJobKey}: those of `AtiAdminClient.issueKey`, with job defaults. */
export interface IssueJobKeyOptions extends Omit<IssueKeyOptions, 'alias'> {
  /** Unique per `userId`. @default `job-<random UUID>` */
  alias?: string | undefined;
  /**
   * Lifetime in seconds: the backstop when the revocation at the job's end
   * never runs (a crashed orchestrator). @default 3600
   */
  expiresInSeconds?: number | undefined;
  /** Aborts the issue request. */
  signal?: AbortSignal | undefined;
}

/** Options of {@link AtiOrchestrator.provisionSandbox}. */
export interface ProvisionSandboxOptions {
  /** Agent identity, the token's `sub`, e.g. `sandbox:1234`. */
  agentId: string;
  /** Tools to grant; `tool:` is prefixed unless present. Patterns like `github:*` allowed. */
  tools?: readonly string[] | undefined;
  /** Skills to grant (exact names); `skill:` is prefixed unless present. */
  skills?: readonly string[] | undefined;
  /** Extra scopes, appended verbatim (e.g. `help`, `*`). */
  extraScopes?: readonly string[] | undefined;
  /** Token lifetime in seconds. @default 3600 */
  ttlSeconds?: number | undefined;
  /** Rate limits, scope pattern → spec (`10/hour`); validated. */
  rate?: Readonly<Record<string, string>> | undefined;
  /** `job_id` claim. */
  jobId?: string | undefined;
  /** `sandbox_id` claim. */
  sandboxId?: string | undefined;
  /** Also fetch the granted skills' SKILL.md content into `skills`. @default false */
  fetchSkillContent?: boolean | undefined;
  /** Current time, epoch seconds. @default the system clock */
  now?: Clock | undefined;
  /**
   * The token file's path inside the sandbox. When given, the result carries
   * `ATI_SESSION_TOKEN_FILE` instead of `ATI_SESSION_TOKEN` (contract §6: the
   * env variable pins the value and defeats rotation), and the token as
   * `sessionToken` for you (or a {@link TokenRotator}) to write there.
   */
  tokenFile?: string | undefined;
}

/** What {@link AtiOrchestrator.provisionSandbox} returns. */
export interface ProvisionResult {
  /** The proxy URL, for the sandbox's `ATI_PROXY_URL`. */
  ATI_PROXY_URL: string;
  /** The session token, for the sandbox's `ATI_SESSION_TOKEN`. */
  ATI_SESSION_TOKEN: string;
  /** With `fetchSkillContent`: skill name → SKILL.md content (`{}` when the fetch failed). */
  skills?: Record<string, string>;
  /**
   * With `fetchSkillContent`, when fetching the skills failed: why. The
   * provisioning itself still succeeded (the token is good).
   */
  skillsError?: AtiError;
}

/**
 * What {@link AtiOrchestrator.provisionSandbox} returns with
 * `fetchSkillContent: true`: `skills` is always there (`{}` when the fetch
 * failed, with `skillsError` saying why).
 */
export interface ProvisionResultWithSkills extends ProvisionResult {
  /** Skill name → SKILL.md content (`{}` when the fetch failed). */
  skills: Record<string, string>;
}

/**
 * What {@link AtiOrchestrator.provisionSandbox} returns with `tokenFile`: the
 * sandbox reads its token from the file, re-read on every call, so it can be
 * rotated (contract §6).
 */
export interface ProvisionFileResult {
  /** The proxy URL, for the sandbox's `ATI_PROXY_URL`. */
  ATI_PROXY_URL: string;
  /** The `tokenFile` path, for the sandbox's `ATI_SESSION_TOKEN_FILE`. */
  ATI_SESSION_TOKEN_FILE: string;
  /** The token to write to that file. Not an env variable: leave it out of the sandbox's env. */
  sessionToken: string;
  /** As in {@link ProvisionResult}. */
  skills?: Record<string, string>;
  /** As in {@link ProvisionResult}. */
  skillsError?: AtiError;
}

/**
 * Options of {@link AtiOrchestrator.rotateSessionToken}: what to issue (as
 * for `provisionSandbox`) and how to rotate (as for {@link TokenRotator}).
 */
export interface RotateSessionTokenOptions
  extends Omit<ProvisionSandboxOptions, 'fetchSkillContent' | 'now' | 'tokenFile'>,
    Omit<TokenRotatorOptions, 'issue'> {}

/** Options shared by the helpers that call the proxy. */
export interface TokenOption {
  /** Bearer token for the proxy. Without one, no Authorization header is sent. */
  token?: string | undefined;
  /** Abort the request(s). */
  signal?: AbortSignal | undefined;
}

function configError(message: string, cause?: unknown): ProvisionError {
  return new ProvisionError('ERR_PROVISION_CONFIG', message, cause === undefined ? undefined : { cause });
}

/**
 * Validate and normalise the proxy URL exactly as {@link AtiProxyClient}
 * does (one rule set), without keeping the parser's error: it quotes the URL,
 * which may hold credentials.
 */
function normaliseUrl(raw: unknown): string {
  try {
    return new AtiProxyClient({ proxyUrl: raw as string }).proxyUrl;
  } catch (err) {
    throw configError(`Invalid proxyUrl: ${(err as Error).message}`);
  }
}

function asAtiError(err: unknown): AtiError {
  return err instanceof AtiError
    ? err
    : new ProvisionError('ERR_PROVISION_CONFIG', 'Unexpected failure', { cause: err });
}

/**
 * Provisions sandboxes and prepares their skills and instructions.
 *
 * @example
 * ```ts
 * const orch = new AtiOrchestrator({ proxyUrl: 'https://ati-proxy.example.com', secret: process.env.ATI_JWT_SECRET });
 * const env = await orch.provisionSandbox({
 *   agentId: `sandbox:${sandboxId}`,
 *   tools: ['finnhub_quote', 'web_search', 'github:*'],
 *   skills: ['financial-analysis'],
 *   ttlSeconds: 7200,
 *   rate: { 'tool:github:*': '10/hour' },
 * });
 * // env.ATI_PROXY_URL, env.ATI_SESSION_TOKEN
 * ```
 */
export class AtiOrchestrator {
  /** The proxy URL without trailing slashes. */
  readonly proxyUrl: string;
  /** `aud` of issued tokens. */
  readonly audience: string;
  /** `iss` of issued tokens (`null`: omitted). */
  readonly issuer: string | null;
  /** @deprecated Use {@link AtiOrchestrator.audience}. */
  get defaultAud(): string {
    return this.audience;
  }
  /** @deprecated Use {@link AtiOrchestrator.issuer}. */
  get defaultIss(): string | null {
    return this.issuer;
  }
  readonly #secret: string | undefined;
  readonly #privateKey: PrivateKeyInput | undefined;
  readonly #publicKey: PublicKeyInput | undefined;
  readonly #fetch: typeof fetch | undefined;
  readonly #timeoutMs: number | undefined;
  readonly #concurrency: number;
  readonly #crypto: CryptoBackend | undefined;
  readonly #signingSecret: string | Uint8Array | undefined;
  readonly #admin: AtiAdminClient | undefined;

  /**
   * Checks the configuration now, so a bad URL, a malformed secret, or a
   * PEM/JWK of the wrong kind fails here rather than on the first sandbox. (A
   * well-formed key whose point is not on the curve is only found when the
   * crypto backend first imports it.)
   *
   * @throws {ProvisionError} `ERR_PROVISION_CONFIG`, with the underlying {@link TokenError} as `cause`.
   */
  constructor(options: AtiOrchestratorOptions) {
    if (options === null || typeof options !== 'object') throw configError('options must be an object');
    this.proxyUrl = normaliseUrl(options.proxyUrl);
    if (options.secret !== undefined && options.privateKey !== undefined) {
      throw configError('give only one of secret (HS256) and privateKey (ES256)');
    }
    if (
      options.secret === undefined &&
      options.privateKey === undefined &&
      options.adminToken === undefined
    ) {
      throw configError('give a signing key (secret or privateKey), an adminToken, or both');
    }
    try {
      if (options.secret !== undefined) decodeSecret(options.secret);
      if (options.privateKey !== undefined) privateKeyToPkcs8(options.privateKey);
      if (options.publicKey !== undefined) publicKeyToSpki(options.publicKey);
    } catch (err) {
      throw configError(`Invalid signing key: ${(err as Error).message}`, err);
    }
    this.#secret = options.secret;
    this.#privateKey = options.privateKey;
    this.#publicKey =
      options.publicKey ??
      (options.privateKey !== undefined ? publicKeyFromPrivate(options.privateKey) : undefined);
    const audience = aliasedOption(
      options.audience,
      options.defaultAud,
      ['audience', 'defaultAud'],
      configError,
    );
    const issuer = aliasedOption(options.issuer, options.defaultIss, ['issuer', 'defaultIss'], configError);
    this.audience = audience ?? 'ati-proxy';
    this.issuer = issuer === undefined ? 'ati-orchestrator' : issuer;
    if (typeof this.audience !== 'string') throw configError('audience must be a string');
    if (this.issuer !== null && typeof this.issuer !== 'string') {
      throw configError('issuer must be a string or null');
    }
    const timeoutMs = options.timeoutMs;
    if (
      timeoutMs !== undefined &&
      (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS)
    ) {
      // The clients it builds take the same range; checked here so the orchestrator fails, not each call.
      throw configError(`timeoutMs must be an integer from 1 to ${MAX_TIMEOUT_MS}`);
    }
    const concurrency = options.concurrency ?? 64;
    if (!Number.isSafeInteger(concurrency) || concurrency <= 0) {
      throw configError('concurrency must be a positive integer');
    }
    if (options.fetch !== undefined && typeof options.fetch !== 'function')
      throw configError('fetch must be a function');
    this.#fetch = options.fetch;
    this.#timeoutMs = timeoutMs;
    this.#concurrency = concurrency;
    this.#crypto = options.crypto;
    const signing = options.signingSecret;
    if (signing !== undefined && usableSandboxSecret(signing) === undefined) {
      throw configError('signingSecret must be a non-empty string or Uint8Array');
    }
    this.#signingSecret = signing;
    this.#admin = this.#adminFrom(options.adminToken);
  }

  #adminFrom(adminToken: string | undefined): AtiAdminClient | undefined {
    if (adminToken === undefined) return undefined;
    try {
      return new AtiAdminClient({
        proxyUrl: this.proxyUrl,
        adminToken,
        fetch: this.#fetch,
        timeoutMs: this.#timeoutMs,
      });
    } catch (err) {
      // The client's messages never quote the token; keep them.
      throw configError(`Invalid adminToken: ${(err as Error).message}`, err);
    }
  }

  /**
   * The admin client for this proxy (issue, get, revoke, bulk-revoke, list
   * virtual keys), with this orchestrator's `fetch` and timeout.
   * @throws {ProvisionError} `ERR_PROVISION_CONFIG` without `adminToken`.
   */
  adminClient(): AtiAdminClient {
    if (this.#admin === undefined) throw configError('virtual keys need the adminToken option');
    return this.#admin;
  }

  /**
   * Issue a virtual key for one job (contract §9) and return it with
   * `revoke()` and `[Symbol.asyncDispose]`: with `await using`, the key is
   * revoked when the scope exits, also when the job throws. The revocation is
   * recorded with `createdBy` as its actor (the proxy's `admin` without one).
   *
   * @throws {ProvisionError} `ERR_PROVISION_CONFIG` without `adminToken`;
   *   {@link ProxyError} from `AtiAdminClient.issueKey` (`ERR_ADMIN_*`);
   *   {@link AtiError} `ERR_INVALID_ARGUMENT`.
   * @example
   * ```ts
   * await using key = await orch.issueJobKey({ userId: 'u1', tools: ['web_search'] });
   * const agent = new AtiProxyClient({ proxyUrl: orch.proxyUrl, apiKey: key.rawKey });
   * await agent.call('web_search', { query: 'ati' });
   * ```
   */
  async issueJobKey(options: IssueJobKeyOptions): Promise<JobKey> {
    const admin = this.adminClient();
    if (options === null || typeof options !== 'object') throw configError('options must be an object');
    const { signal, ...rest } = options;
    const issued = await admin.issueKey(
      {
        ...rest,
        alias: options.alias ?? `job-${globalThis.crypto.randomUUID()}`,
        expiresInSeconds: options.expiresInSeconds ?? 3600,
      },
      signal === undefined ? undefined : { signal },
    );
    const by = options.createdBy;
    return new JobKey(issued, () => admin.revokeKey(issued.hash, { by }));
  }

  /** Shows the URL only: no secret, key or admin token reaches a log through `console.log(orch)`. */
  [INSPECT](): string {
    return urlOnly(this);
  }

  /** A proxy client carrying `token` (or no Authorization header without one). */
  client(token?: string): AtiProxyClient {
    return new AtiProxyClient({
      proxyUrl: this.proxyUrl,
      token,
      fetch: this.#fetch,
      timeoutMs: this.#timeoutMs,
      ...(this.#signingSecret === undefined ? {} : { signingSecret: this.#signingSecret }),
    });
  }

  /**
   * Issue a scoped token for a sandbox and return the env vars to inject.
   * The scope string is built exactly as the Python SDK builds it
   * (`tool:` / `skill:` prefixes, extras verbatim).
   *
   * With `fetchSkillContent`, the granted skills are resolved with the new
   * token and returned in `skills`. Python resolves with `["*"]` when no
   * tools or skills are given, which resolves nothing; this resolves with the
   * scopes actually granted. A failed fetch never fails provisioning: `skills`
   * is `{}` and `skillsError` says why.
   *
   * With `tokenFile`, the env names the token file instead
   * (`ATI_SESSION_TOKEN_FILE`) and the token comes back as `sessionToken`;
   * see {@link AtiOrchestrator.rotateSessionToken} to keep that file fresh.
   *
   * @throws {TokenError} `ERR_INVALID_ARGUMENT` (also for an empty `tokenFile`), `ERR_RATE_SPEC_INVALID`;
   *   {@link ScopeError} `ERR_SCOPE_INVALID`; {@link ProvisionError} `ERR_PROVISION_CONFIG` for an
   *   orchestrator built without a signing key.
   * @example
   * ```ts
   * const { skills, skillsError, ...env } = await orch.provisionSandbox({ agentId: 'sandbox:1', tools: ['web_search'] });
   * const { sessionToken, ...fileEnv } = await orch.provisionSandbox({ agentId: 'sandbox:2', tokenFile: '/run/ati/session_token' });
   * ```
   */
  provisionSandbox(
    options: ProvisionSandboxOptions & { tokenFile: string; fetchSkillContent: true },
  ): Promise<ProvisionFileResult & Required<Pick<ProvisionFileResult, 'skills'>>>;
  provisionSandbox(options: ProvisionSandboxOptions & { tokenFile: string }): Promise<ProvisionFileResult>;
  provisionSandbox(
    options: ProvisionSandboxOptions & { fetchSkillContent: true; tokenFile?: undefined },
  ): Promise<ProvisionResultWithSkills>;
  provisionSandbox(options: ProvisionSandboxOptions & { tokenFile?: undefined }): Promise<ProvisionResult>;
  provisionSandbox(options: ProvisionSandboxOptions): Promise<ProvisionResult | ProvisionFileResult>;
  async provisionSandbox(options: ProvisionSandboxOptions): Promise<ProvisionResult | ProvisionFileResult> {
    const tokenFile = options.tokenFile;
    if (tokenFile !== undefined && (typeof tokenFile !== 'string' || tokenFile.trim() === '')) {
      // ATI trims the variable and treats a blank one as unset (contract §6).
      throw new TokenError('ERR_INVALID_ARGUMENT', 'tokenFile must be a non-blank path');
    }
    const token = await this.#issueFor(options);
    const result: ProvisionResult | ProvisionFileResult =
      tokenFile === undefined
        ? { ATI_PROXY_URL: this.proxyUrl, ATI_SESSION_TOKEN: token }
        : { ATI_PROXY_URL: this.proxyUrl, ATI_SESSION_TOKEN_FILE: tokenFile, sessionToken: token };
    if (options.fetchSkillContent === true) {
      // Python resolves the tool and skill scopes only (not extraScopes); same prefixing as the claim.
      const granted = parseScopes(buildScopeString({ tools: options.tools, skills: options.skills }));
      try {
        result.skills = await this.fetchSkills({ scopes: granted.length > 0 ? granted : undefined, token });
      } catch (err) {
        result.skills = {};
        result.skillsError = asAtiError(err);
      }
    }
    return result;
  }

  /** @throws {ProvisionError} `ERR_PROVISION_CONFIG` on an orchestrator built without a signing key. */
  #requireSigningKey(): void {
    if (this.#secret === undefined && this.#privateKey === undefined) {
      throw configError('issuing session tokens needs a signing key: pass secret or privateKey');
    }
  }

  /** Issue a sandbox token: scopes built as the Python SDK builds them. */
  async #issueFor(
    options: Omit<ProvisionSandboxOptions, 'fetchSkillContent' | 'tokenFile'>,
  ): Promise<string> {
    this.#requireSigningKey();
    return issueToken({
      secret: this.#secret,
      privateKey: this.#privateKey,
      sub: options.agentId,
      scope: buildScopeString({ tools: options.tools, skills: options.skills, extra: options.extraScopes }),
      ttlSeconds: options.ttlSeconds,
      audience: this.audience,
      issuer: this.issuer,
      rate: options.rate,
      jobId: options.jobId,
      sandboxId: options.sandboxId,
      now: options.now,
      crypto: this.#crypto,
    });
  }

  /**
   * A {@link TokenRotator} that keeps a sandbox's token fresh: each token is
   * issued as `provisionSandbox` issues it (same scopes, TTL, rate limits,
   * claims) and handed to `sink`. Nothing happens until `start()`, which
   * writes the first token; rotation then follows at `refreshAt` (default
   * 2/3) of each token's lifetime, with jitter. Give the sandbox
   * `ATI_SESSION_TOKEN_FILE`, never `ATI_SESSION_TOKEN`, which would pin the
   * first token (contract §6).
   *
   * Scopes, rate specs and `ttlSeconds` are checked here, at once.
   *
   * @throws {TokenError} `ERR_INVALID_ARGUMENT` (also for `ttlSeconds` under 2, too
   *   short to rotate in whole seconds), `ERR_RATE_SPEC_INVALID`; {@link ScopeError}
   *   `ERR_SCOPE_INVALID`; {@link AtiError} `ERR_INVALID_ARGUMENT` for rotator options;
   *   {@link ProvisionError} `ERR_PROVISION_CONFIG` without a signing key.
   * @example
   * ```ts
   * import { fileSink } from 'ati-client/node';
   * await using rotator = orch.rotateSessionToken({
   *   agentId: 'sandbox:1', tools: ['web_search'], ttlSeconds: 900,
   *   sink: fileSink('/srv/sandboxes/1/run/ati/session_token'),
   *   onError: (err) => log.warn(err.code),
   * });
   * await rotator.start(); // sandbox env: ATI_PROXY_URL, ATI_SESSION_TOKEN_FILE=/run/ati/session_token
   * ```
   */
  rotateSessionToken(options: RotateSessionTokenOptions): TokenRotator {
    if (options === null || typeof options !== 'object')
      throw new TokenError('ERR_INVALID_ARGUMENT', 'options must be an object');
    this.#requireSigningKey();
    buildScopeString({ tools: options.tools, skills: options.skills, extra: options.extraScopes });
    if (options.rate !== undefined) parseRateMap(options.rate);
    const ttl = options.ttlSeconds ?? 3600;
    if (!Number.isSafeInteger(ttl) || ttl < 2) {
      throw new TokenError('ERR_INVALID_ARGUMENT', 'ttlSeconds must be an integer of at least 2 to rotate');
    }
    if (typeof options.agentId !== 'string' || options.agentId === '') {
      throw new TokenError('ERR_INVALID_ARGUMENT', 'agentId must be a non-empty string');
    }
    const issue = { ...options, now: undefined };
    return new TokenRotator({ ...options, issue: () => this.#issueFor(issue) });
  }

  /**
   * Resolve skills for `scopes` and return name → SKILL.md content
   * (`POST /skills/resolve` with `include_content`). The proxy resolves from
   * the given scopes, then keeps only what `token` may see.
   *
   * A bare `*` resolves nothing on the proxy ("available, not auto-loaded"),
   * so when `scopes` is only wildcards this resolves every skill the token can
   * list instead. Empty `scopes` are sent as `["*"]`, as Python sends them: `{}`
   * with a valid token, a 401 `ProxyError` with a missing or bad one.
   *
   * @param options.scopes - Scopes to resolve. @default the token's own scopes
   * @throws {ProxyError} on HTTP, network, timeout or response-shape failure;
   *   {@link TokenError} when `scopes` is omitted and `token` is not a JWT.
   */
  async fetchSkills(
    options: TokenOption & { scopes?: readonly string[] | undefined } = {},
  ): Promise<Record<string, string>> {
    const client = this.client(options.token);
    let scopes = options.scopes ?? (options.token !== undefined ? inspectToken(options.token).scopes() : []);
    if (scopes.length === 0) {
      // As Python: no scopes means `["*"]`, sent as is. The proxy resolves nothing for it, but a missing
      // or bad token still gets its 401 instead of a silent `{}`.
      scopes = ['*'];
    } else if (scopes.every((s) => s === '*')) {
      const listed = await client.listSkills({ signal: options.signal });
      scopes = listed.map((s) => `skill:${s.name}`);
      if (scopes.length === 0) return {};
    }
    const resolved = await client.resolveSkills(scopes, { includeContent: true, signal: options.signal });
    const out: Record<string, string> = {};
    for (const entry of resolved) setOwn(out, entry.name, entry.content ?? '');
    return out;
  }

  /**
   * Download one skill's bundle (`GET /skills/:name/bundle`) into
   * `destDir/<name>`, atomically: a temp directory next to it, then a rename.
   * The name and every file path are checked first; nothing is written
   * outside `destDir`. Node only (loads `node:fs` on first use).
   *
   * @returns The skill's directory.
   * @throws {SkillError} `ERR_SKILL_NAME_UNSAFE`, `ERR_SKILL_PATH_UNSAFE`, `ERR_SKILL_BUNDLE_INVALID`, `ERR_SKILL_WRITE_FAILED`;
   *   {@link ProxyError} when the request fails (404 when not found or not visible).
   */
  async downloadSkill(name: string, destDir: string, options: TokenOption = {}): Promise<string> {
    return downloadSkillBundle(() => this.client(options.token), name, destDir, { signal: options.signal });
  }

  /**
   * Download many skills (`POST /skills/bundle`, split into batches of 50)
   * into `destDir`, each written atomically. Names the proxy does not return
   * are listed in `missing`. A name the proxy returns that was not asked for
   * is refused.
   *
   * @throws {SkillError} as {@link AtiOrchestrator.downloadSkill}; {@link ProxyError}.
   */
  async downloadSkills(
    names: readonly string[],
    destDir: string,
    options: TokenOption & { onProgress?: ((p: DownloadProgress) => void) | undefined } = {},
  ): Promise<DownloadSkillsResult> {
    return downloadSkillBundles(() => this.client(options.token), names, destDir, {
      signal: options.signal,
      onProgress: options.onProgress,
    });
  }

  /**
   * Instructions telling the agent which skills to read before using
   * `tools`, byte-identical to the Python SDK for the same responses
   * (contract §5.5). Lookups (`GET /tools/:name`) run concurrently (at most
   * `concurrency` at once, each with the client timeout), and the output keeps
   * the order of `tools`. A tool whose lookup fails is skipped, as in Python,
   * but never silently: `onToolError` is called, or a process warning
   * (`ATI_TOOL_LOOKUP_FAILED`) is emitted without one.
   */
  async buildToolInstructions(
    options: TokenOption & {
      tools: readonly string[];
      onToolError?: ((tool: string, error: AtiError) => void) | undefined;
    },
  ): Promise<string> {
    const client = this.client(options.token);
    const results = await mapLimit(options.tools, this.#concurrency, async (tool) => {
      try {
        // Read loosely, as Python does (`data.get("provider", tool)`): any JSON answer counts.
        return {
          tool,
          data: await client.getJson(`/tools/${encodeURIComponent(tool)}`, { signal: options.signal }),
        };
      } catch (err) {
        const error = asAtiError(err);
        if (options.onToolError) options.onToolError(tool, error);
        else
          emitWarning(
            `Skipped tool ${JSON.stringify(tool)} in tool instructions: ${error.code}`,
            'ATI_TOOL_LOOKUP_FAILED',
          );
        return undefined;
      }
    });
    return formatToolInstructions(results.filter((r) => r !== undefined));
  }

  /**
   * The skill listing for the agent's system prompt, byte-identical to the
   * Python SDK's (contract §5): fetched from `GET /skillati/catalog` (with
   * `?search=` only when `search` is non-empty) and formatted by
   * {@link formatSkillListing}. Errors propagate.
   *
   * @throws {ProxyError}
   */
  async buildSkillListing(options: TokenOption & { search?: string | undefined }): Promise<string> {
    return fetchSkillListing(this.client(options.token), { search: options.search, signal: options.signal });
  }

  /**
   * Validate a token with this orchestrator's key and `audience`
   * (issuer not defaulted, as in Python). See {@link validateToken}.
   *
   * @throws {TokenError}
   */
  async validateToken(
    token: string,
    options: { issuer?: string | undefined; leeway?: number | undefined; now?: Clock | undefined } = {},
  ): Promise<TokenClaims> {
    if (this.#secret === undefined && this.#publicKey === undefined) {
      throw new TokenError(
        'ERR_KEY_INVALID',
        'No public key: pass publicKey, or a privateKey that carries its public point',
      );
    }
    const o = options ?? {};
    return validateToken(token, {
      ...(this.#secret !== undefined ? { secret: this.#secret } : { publicKey: this.#publicKey }),
      audience: this.audience,
      issuer: o.issuer,
      leeway: o.leeway,
      now: o.now,
      crypto: this.#crypto,
    });
  }

  /** @deprecated Use {@link AtiOrchestrator.buildSkillListing}. The legacy skill list (contract §5.4). */
  static buildSkillInstructions(skills: readonly string[]): string {
    return buildSkillInstructions(skills);
  }
}

/**
 * The HTTP transport shared by {@link AtiProxyClient} and `AtiAdminClient`:
 * option checks, one deadline per call, retries of idempotent reads, a capped
 * body reader, and errors that name the method and path but never a
 * credential. Internal: the clients are the public surface.
 *
 * @module
 */

import { AtiError, type AtiErrorCode, ProxyError } from '../errors.ts';
import {
  SANDBOX_JOB_ID_HEADER,
  SANDBOX_SIGNATURE_HEADER,
  signSandboxRequest,
  usableSandboxSecret,
} from '../signature/sandbox.ts';
import { INSPECT, urlOnly } from '../util/inspect.ts';
import { secretFragments } from '../util/secrets.ts';
import { isRecord } from '../util/values.ts';
import { checkInteger, invalidArgument } from './arguments.ts';
import { proxyErrorText } from './guards.ts';

/** Per-call options every client method accepts as its last argument. */
export interface RequestOptions {
  /** Aborts the request; the call then rejects with `ERR_PROXY_ABORTED`. */
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call, in milliseconds. */
  timeoutMs?: number;
}

/** The transport options both clients share, as the caller gives them. @internal */
export interface TransportOptions {
  proxyUrl: string;
  fetch?: typeof fetch | undefined;
  timeoutMs?: number | undefined;
  retries?: number | undefined;
  maxResponseBytes?: number | undefined;
  userAgent?: string | undefined;
  signingSecret?: string | Uint8Array | undefined;
  jobId?: string | undefined;
}

/** What goes into `Authorization`: `<scheme> <secret>`. The secret is redacted from every error. @internal */
export interface Credential {
  scheme: 'Bearer' | 'Ati-Key';
  secret: string;
}

/**
 * Maps an HTTP error status to a more specific code than `ERR_PROXY_HTTP`,
 * with a hint used when the body says nothing (the proxy's 401/503 bodies are
 * empty). `undefined`: keep `ERR_PROXY_HTTP`. @internal
 */
export type StatusCodes = (status: number) => { code: AtiErrorCode; hint: string } | undefined;

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRIES = 2;
const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** setTimeout's largest delay; longer ones fire immediately. */
/** The longest timeout a client takes, in ms (setTimeout's limit, 2^31 − 1). @internal */
export const MAX_TIMEOUT_MS = 2_147_483_647;
const MAX_RETRIES = 10;
const BACKOFF_BASE_MS = 50;
/** Error bodies are read only this far: enough for `{"error": …}`, never a reason for TOO_LARGE. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** Longest piece of server text quoted in an error message, in UTF-16 units. */
const MAX_QUOTED_CHARS = 300;

/** @internal */
export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** One request, as a client method describes it. @internal */
export interface RequestSpec<T> {
  method: HttpMethod;
  /** Path relative to the proxy URL, segments already encoded, no query string. */
  path: string;
  query?: URLSearchParams | undefined;
  body?: unknown;
  /** Public endpoints (contract §4.0) get no Authorization header. */
  auth: boolean;
  guard: (value: unknown) => value is T;
  expected: string;
  options: RequestOptions | undefined;
}

/** Builds a {@link ProxyError} naming the request's method and path. */
type Fail = (code: AtiErrorCode, detail: string, cause?: unknown) => ProxyError;

/** Why the per-call controller fired. */
type AbortCause = 'timeout' | 'aborted';

/** A fetch rejection or body-stream failure that is neither a timeout nor the caller's abort. */
class NetworkFailure {
  constructor(readonly error: unknown) {}
}

/** `User-Agent`: visible ASCII and inner spaces. */
const USER_AGENT_CHARS = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    isRecord(value) &&
    typeof value.aborted === 'boolean' &&
    typeof value.addEventListener === 'function' &&
    typeof value.removeEventListener === 'function'
  );
}

function parseBaseUrl(proxyUrl: unknown): string {
  if (typeof proxyUrl !== 'string') throw invalidArgument('proxyUrl must be a string');
  let url: URL;
  try {
    url = new URL(proxyUrl);
  } catch {
    // The input is not echoed: a malformed URL may still hold credentials.
    throw invalidArgument('proxyUrl is not a valid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidArgument(`proxyUrl must use http: or https:, not ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw invalidArgument('proxyUrl must not contain credentials; pass them as options');
  }
  if (url.search !== '' || url.hash !== '') {
    throw invalidArgument('proxyUrl must not contain a query string or a fragment');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Replace C0/C1 controls and cap the length, so quoted server text cannot forge log lines. */
function quote(text: string): string {
  const flat = text.replace(/\p{Cc}+/gu, ' ').trim();
  return flat.length > MAX_QUOTED_CHARS ? `${flat.slice(0, MAX_QUOTED_CHARS)}…` : flat;
}

/**
 * Defence in depth: a proxy error text that echoes a credential, or any long
 * part of one (a JWT's payload or signature segment), must not carry it into a
 * message or log. `secrets` are every credential the client knows, not only
 * the one sent: routes such as `/health` go without one but may still echo it.
 */
function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    for (const fragment of secretFragments(secret)) out = out.split(fragment).join('[REDACTED]');
  }
  return out;
}

/** How many of the latest provided credentials (`getToken` results) stay in the redaction set. */
const KNOWN_SECRETS = 4;

function networkDetail(error: unknown): string {
  // undici: TypeError('fetch failed', { cause: Error { code: 'ECONNREFUSED' } }).
  // Only the errno-style code is quoted; the cause stays on `err.cause`.
  let current: unknown = error;
  for (let depth = 0; depth < 4 && isRecord(current); depth++) {
    const code = current.code;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code)) return ` (${code})`;
    current = current.cause;
  }
  return '';
}

/**
 * What a client shows of itself: its proxy URL and nothing else. The base of
 * {@link AtiProxyClient} and `AtiAdminClient`, which keep their transport and
 * credentials in their own `#private` fields. Internal.
 */
export abstract class UrlOnlyClient {
  /** The validated base URL, without trailing slashes. */
  readonly proxyUrl: string;

  /** @param proxyUrl the transport's validated base URL. */
  protected constructor(proxyUrl: string) {
    this.proxyUrl = proxyUrl;
  }

  /** Shows the URL only: no credential reaches a log through `console.log(client)`. */
  [INSPECT](): string {
    return urlOnly(this);
  }

  /** `{ proxyUrl }`: the credential is never serialized. */
  toJSON(): {
    /** The proxy's base URL, the only thing the client shows of itself. */
    proxyUrl: string;
  } {
    return { proxyUrl: this.proxyUrl };
  }
}

/**
 * One client's HTTP machinery. The credential is asked for once per call
 * (not per retry) and redacted from every error the call produces. @internal
 */
export class Transport {
  /** The validated base URL, without trailing slashes. */
  readonly proxyUrl: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #maxResponseBytes: number;
  readonly #userAgent: string | undefined;
  readonly #signingKey: Uint8Array | undefined;
  readonly #jobId: string | undefined;
  readonly #credential: () => Promise<Credential | undefined>;
  readonly #statusCodes: StatusCodes | undefined;
  /** The configured credential and the latest provided ones: redacted from every error, on every route. */
  readonly #known: string[];
  /** How many entries of `#known` are configured (0 or 1): those are never evicted. */
  readonly #pinned: number;

  /** @throws {AtiError} `ERR_INVALID_ARGUMENT` when an option is invalid (never quoting a URL or secret). */
  constructor(
    options: TransportOptions,
    credential: () => Promise<Credential | undefined>,
    statusCodes?: StatusCodes,
    configured?: string,
  ) {
    this.#known = configured === undefined ? [] : [configured];
    this.#pinned = this.#known.length;
    this.proxyUrl = parseBaseUrl(options.proxyUrl);
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') {
      throw invalidArgument('no fetch available: pass options.fetch');
    }
    this.#fetch = fetchImpl;
    this.#timeoutMs = checkInteger('timeoutMs', options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 1, MAX_TIMEOUT_MS);
    this.#retries = checkInteger('retries', options.retries ?? DEFAULT_RETRIES, 0, MAX_RETRIES);
    this.#maxResponseBytes = checkInteger(
      'maxResponseBytes',
      options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      1,
      Number.MAX_SAFE_INTEGER,
    );
    if (options.userAgent !== undefined) {
      if (typeof options.userAgent !== 'string' || !USER_AGENT_CHARS.test(options.userAgent)) {
        throw invalidArgument('userAgent must be non-empty printable ASCII');
      }
    }
    this.#userAgent = options.userAgent;
    if (options.signingSecret !== undefined) {
      const key = usableSandboxSecret(options.signingSecret);
      if (key === undefined) {
        throw invalidArgument('signingSecret must be a non-empty string or Uint8Array');
      }
      // A copy: later changes to the caller's bytes do not change our signatures.
      this.#signingKey = Uint8Array.from(key);
    }
    if (
      options.jobId !== undefined &&
      (typeof options.jobId !== 'string' || !USER_AGENT_CHARS.test(options.jobId))
    ) {
      throw invalidArgument('jobId must be non-empty printable ASCII');
    }
    this.#jobId = options.jobId;
    this.#credential = credential;
    this.#statusCodes = statusCodes;
  }

  /** Send one request and return its shape-checked JSON body. */
  async request<T>(spec: RequestSpec<T>): Promise<T> {
    const options = spec.options ?? {};
    if (!isRecord(options)) throw invalidArgument('options must be an object');
    const signal = options.signal;
    if (signal !== undefined && !isAbortSignal(signal))
      throw invalidArgument('signal must be an AbortSignal');
    const timeoutMs =
      options.timeoutMs === undefined
        ? this.#timeoutMs
        : checkInteger('timeoutMs', options.timeoutMs, 1, MAX_TIMEOUT_MS);
    const { method, path } = spec;
    const fail: Fail = (code, detail, cause) =>
      new ProxyError(code, `${method} ${path} failed: ${detail}`, {
        method,
        path,
        ...(cause === undefined ? {} : { cause }),
      });

    if (signal?.aborted) throw fail('ERR_PROXY_ABORTED', 'aborted by the caller', signal.reason);

    const credential = spec.auth ? await this.#credential() : undefined;
    if (credential !== undefined) this.#remember(credential.secret);
    // The caller may have aborted while getToken() was pending.
    if (signal?.aborted) throw fail('ERR_PROXY_ABORTED', 'aborted by the caller', signal.reason);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (credential !== undefined) headers.authorization = `${credential.scheme} ${credential.secret}`;
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    if (this.#userAgent !== undefined) headers['user-agent'] = this.#userAgent;
    if (this.#jobId !== undefined) headers[SANDBOX_JOB_ID_HEADER] = this.#jobId;
    const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const url = `${this.proxyUrl}${path}${spec.query === undefined ? '' : `?${spec.query.toString()}`}`;

    // One controller per call joins the caller's signal and the deadline, and
    // records which fired first (AbortSignal.any is not on every runtime).
    const controller = new AbortController();
    let fired: AbortCause | undefined;
    const onCallerAbort = (): void => {
      fired ??= 'aborted';
      controller.abort(signal?.reason);
    };
    signal?.addEventListener('abort', onCallerAbort, { once: true });
    const timer = setTimeout(() => {
      fired ??= 'timeout';
      controller.abort();
    }, timeoutMs);

    const aborted = (cause: unknown): ProxyError =>
      fired === 'aborted'
        ? fail('ERR_PROXY_ABORTED', 'aborted by the caller', signal?.reason ?? cause)
        : fail('ERR_PROXY_TIMEOUT', `timed out after ${timeoutMs} ms`);

    try {
      // Only reads are retried: a POST may have side effects, and a DELETE that
      // went through before the connection broke would come back as a 404.
      const attempts = method === 'GET' ? this.#retries + 1 : 1;
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.#attempt(
            spec,
            url,
            headers,
            payload,
            controller.signal,
            credential?.secret,
            fail,
          );
        } catch (error) {
          // Our own verdicts (HTTP status, shape, size) stand even if the deadline passed meanwhile.
          if (error instanceof AtiError) throw error;
          if (fired !== undefined) throw aborted(error);
          if (!(error instanceof NetworkFailure)) throw error;
          if (attempt + 1 >= attempts) {
            throw fail('ERR_PROXY_NETWORK', `network error${networkDetail(error.error)}`, error.error);
          }
        }
        await sleep(BACKOFF_BASE_MS * 2 ** attempt, controller.signal);
        if (fired !== undefined) throw aborted(undefined);
      }
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  /** One HTTP exchange. Network failures come back as {@link NetworkFailure} for the retry loop. */
  async #attempt<T>(
    spec: RequestSpec<T>,
    url: string,
    headers: Record<string, string>,
    payload: string | undefined,
    signal: AbortSignal,
    secret: string | undefined,
    fail: Fail,
  ): Promise<T> {
    const fetchImpl = this.#fetch; // called unbound: some runtimes reject a foreign `this`
    if (this.#signingKey !== undefined) {
      // Signed per attempt, so a retry carries a fresh timestamp. The path is the one fetch sends.
      headers = {
        ...headers,
        [SANDBOX_SIGNATURE_HEADER]: await signSandboxRequest({
          secret: this.#signingKey,
          method: spec.method,
          path: new URL(url).pathname,
        }),
      };
    }
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method: spec.method,
        headers,
        ...(payload === undefined ? {} : { body: payload }),
        signal,
        redirect: 'manual',
      });
    } catch (error) {
      throw new NetworkFailure(error);
    }

    if (!response.ok) throw await this.#httpError(spec, response, secret);

    const declared = response.headers.get('content-length');
    if (
      declared !== null &&
      /^\d+$/.test(declared.trim()) &&
      Number(declared.trim()) > this.#maxResponseBytes
    ) {
      await cancelBody(response);
      throw fail(
        'ERR_PROXY_RESPONSE_TOO_LARGE',
        `response of ${declared.trim()} bytes exceeds ${this.#maxResponseBytes}`,
      );
    }
    const bytes = await readBody(response, this.#maxResponseBytes, true);
    if (bytes === undefined) {
      throw fail('ERR_PROXY_RESPONSE_TOO_LARGE', `response exceeds ${this.#maxResponseBytes} bytes`);
    }

    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch {
      // No cause: the parser's message quotes part of the body, which may hold
      // a secret (an issued raw key, a token the server echoed).
      throw fail('ERR_PROXY_INVALID_RESPONSE', 'response is not JSON');
    }
    if (!spec.guard(value)) {
      throw fail('ERR_PROXY_INVALID_RESPONSE', `response is not ${spec.expected}`);
    }
    return value;
  }

  /** Keep `secret` for redaction, with the configured one (first) and the latest few provided ones. */
  #remember(secret: string): void {
    if (this.#known.includes(secret)) return;
    this.#known.push(secret);
    if (this.#known.length > this.#pinned + KNOWN_SECRETS) this.#known.splice(this.#pinned, 1);
  }

  /** The error for a non-2xx answer; the status is the verdict, the body only explains it. */
  async #httpError(spec: RequestSpec<unknown>, response: Response, secret: string | undefined) {
    // A body that breaks off is not a network error (and is never retried).
    const bytes = await readBody(response, MAX_ERROR_BODY_BYTES, false).catch(() => undefined);
    const text = bytes === undefined ? '' : new TextDecoder('utf-8').decode(bytes);
    let proxyError: string | undefined;
    try {
      proxyError = proxyErrorText(JSON.parse(text));
    } catch {
      proxyError = undefined;
    }
    const secrets = secret === undefined ? this.#known : [secret, ...this.#known];
    if (proxyError !== undefined) proxyError = redact(proxyError, secrets);
    const mapped = this.#statusCodes?.(response.status);
    const detail = quote(redact(proxyError ?? text, secrets)) || mapped?.hint || response.statusText;
    return new ProxyError(
      mapped?.code ?? 'ERR_PROXY_HTTP',
      `${spec.method} ${spec.path} failed: ${response.status}${detail === '' ? '' : ` ${detail}`}`,
      { status: response.status, proxyError, method: spec.method, path: spec.path },
    );
  }
}

/** Read a body (see {@link readCapped}); a body that breaks off is a {@link NetworkFailure}. */
async function readBody(response: Response, limit: number, strict: boolean): Promise<Uint8Array | undefined> {
  try {
    return await readCapped(response.body, limit, !strict);
  } catch (error) {
    throw new NetworkFailure(error);
  }
}

/**
 * Read at most `limit` bytes of a stream (`null`: no body, zero bytes). When
 * the stream is longer the rest is never read (the stream is cancelled) and
 * the result is `undefined`, or with `truncate` the first `limit` bytes.
 * Shared by the client (response bodies) and the dev proxy (request bodies).
 *
 * @throws whatever the stream's reader throws when the body breaks off.
 * @example
 * ```ts
 * const bytes = await readCapped(request.body, 1024 * 1024); // undefined when larger
 * ```
 */
export async function readCapped(
  stream: ReadableStream<Uint8Array> | null,
  limit: number,
  truncate = false,
): Promise<Uint8Array | undefined> {
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      const room = limit - total;
      if (next.value.byteLength > room) {
        await reader.cancel().catch(() => undefined);
        if (!truncate) return undefined;
        chunks.push(next.value.subarray(0, room));
        total = limit;
        break;
      }
      chunks.push(next.value);
      total += next.value.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

async function cancelBody(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    // Resolves early on abort; the caller checks why and throws.
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

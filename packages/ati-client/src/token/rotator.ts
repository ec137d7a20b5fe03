/**
 * Token hot-rotation (contract §6): ATI re-reads `ATI_SESSION_TOKEN_FILE` on
 * every call "for hot-rotation by an external supervisor". This is that
 * supervisor: it issues a new token before the current one expires and hands
 * it to a sink (a file, a sandbox SDK's file write, …), retrying a failing
 * sink until the token the sandbox holds would expire.
 *
 * Web APIs only (timers, AbortController), so it runs wherever the `.` entry
 * does; the file sink lives in `ati-client/node`.
 *
 * @module
 */
import { AtiError, TokenRotationError } from '../errors.ts';
import { emitWarning } from '../text/warn.ts';
import { reachesSecret, secretFragments } from '../util/secrets.ts';
import { inspectToken } from './inspect.ts';

/** What a {@link TokenSink} is told besides the token. */
export interface TokenSinkContext {
  /** Aborted when the rotator stops or the call exceeds `sinkTimeoutMs`; a sink that can cancel its write should. */
  signal: AbortSignal;
  /** The token's `exp`, epoch seconds. */
  expiresAt: number;
  /** Which delivery this is: 1 for the token `start()` writes, then 2, 3, … */
  rotation: number;
}

/**
 * Where a rotated token goes. Any `(token) => Promise<void>` works: `fileSink`
 * from `ati-client/node`, or a remote sandbox API's file write. It must
 * replace the token atomically (the reader must never see an empty or partial
 * file) and reject when it failed. It must not put the token in its errors.
 */
export type TokenSink = (token: string, context: TokenSinkContext) => Promise<void> | void;

/** Told after each successful delivery. Never carries the token. */
export interface RotationEvent {
  /** Deliveries so far, this one included: 1 after `start()`. */
  rotation: number;
  /** The new token's `iat`, epoch seconds. */
  issuedAt: number;
  /** The new token's `exp`, epoch seconds. */
  expiresAt: number;
  /** The new token's `jti`, when it has one. */
  jti: string | undefined;
  /** Attempts this delivery took (1 when the sink succeeded at once). */
  attempts: number;
  /** When the next rotation is due, epoch milliseconds. */
  nextRotationAt: number;
}

/** Options of {@link TokenRotator}. */
export interface TokenRotatorOptions {
  /** Issue a fresh token (a compact JWT with integer `iat` and `exp`). */
  issue: () => Promise<string>;
  /** Where each token goes. */
  sink: TokenSink;
  /**
   * When to rotate, as the fraction of the token's lifetime that has passed,
   * strictly between 0 and 1. @default 2/3
   */
  refreshAt?: number | undefined;
  /**
   * Randomness, as a fraction of the lifetime: each rotation comes up to this
   * much earlier than `refreshAt`, so many sandboxes do not rotate in step.
   * At least 0 and below `refreshAt`. @default 0.05, or `refreshAt / 2` when that is smaller
   */
  jitter?: number | undefined;
  /** First retry delay after a failed delivery, in milliseconds; doubles per failure. @default 500 */
  retryInitialMs?: number | undefined;
  /** Longest retry delay, in milliseconds. @default 30000, or `retryInitialMs` when that is larger */
  retryMaxMs?: number | undefined;
  /**
   * How long one sink call may take, in milliseconds. After that its
   * `signal` is aborted and the attempt counts as failed (and is retried).
   * @default 30000
   */
  sinkTimeoutMs?: number | undefined;
  /** Called after each delivery (the first included). Never given the token. */
  onRotate?: ((event: RotationEvent) => void) | undefined;
  /**
   * Called for each failure after `start()`: every failed attempt
   * (`ERR_TOKEN_ISSUE_FAILED`, `ERR_TOKEN_SINK_FAILED`), then
   * `ERR_TOKEN_ROTATION_LAPSED` if the current token expires first, after
   * which the rotator stops. Without it, each failure is a process warning
   * (`ATI_TOKEN_ROTATION_FAILED`): never silent.
   */
  onError?: ((error: TokenRotationError) => void) | undefined;
}

/** Where a {@link TokenRotator} is in its life. */
export type TokenRotatorState = 'idle' | 'starting' | 'running' | 'lapsed' | 'stopped';

/** Rotations never come closer together than this, whatever the token says. */
const MIN_DELAY_MS = 10;
/** setTimeout's largest delay (2^31 − 1 ms, about 24.8 days); longer waits are chained. */
const MAX_TIMER_MS = 0x7fffffff;

function invalid(message: string): AtiError {
  return new AtiError('ERR_INVALID_ARGUMENT', message);
}

/** A number in [0, max), or in (0, max) when `positive`. */
function fraction(value: unknown, name: string, fallback: number, max: number, positive: boolean): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(positive ? value > 0 : value >= 0) || !(value < max)) {
    throw invalid(`${name} must be a number ${positive ? 'above' : 'at least'} 0 and below ${max}`);
  }
  return value;
}

function positiveMs(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) <= 0)
    throw invalid(`${name} must be a positive integer`);
  return value as number;
}

function optionalFunction(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'function') throw invalid(`${name} must be a function`);
}

function unref(timer: ReturnType<typeof setTimeout>): void {
  // Node and Bun timers have unref(); browsers' are numbers and never keep anything alive.
  (timer as { unref?: () => void }).unref?.();
}

/**
 * Keeps a sandbox's session token fresh: `start()` issues the first token and
 * hands it to the sink; each following token is issued when `refreshAt` of
 * the current one's lifetime has passed (minus jitter). A failed delivery is
 * retried with exponential backoff until the token the sandbox holds would
 * expire; each failure goes to `onError`. Timers are `unref`ed, so a running
 * rotator never keeps a process alive on its own, and a stopped one
 * schedules nothing.
 *
 * Most callers get one from `AtiOrchestrator.rotateSessionToken`; construct it
 * directly to rotate tokens from your own issuer.
 *
 * @example
 * ```ts
 * await using rotator = new TokenRotator({ issue: () => myIssuer(), sink: fileSink('/run/ati/session_token') });
 * await rotator.start();
 * ```
 */
export class TokenRotator implements AsyncDisposable {
  readonly #issue: () => Promise<string>;
  readonly #sink: TokenSink;
  readonly #refreshAt: number;
  readonly #jitter: number;
  readonly #retryInitialMs: number;
  readonly #retryMaxMs: number;
  readonly #sinkTimeoutMs: number;
  readonly #onRotate: ((event: RotationEvent) => void) | undefined;
  readonly #onError: ((error: TokenRotationError) => void) | undefined;
  readonly #abort = new AbortController();
  #state: TokenRotatorState = 'idle';
  #timer: ReturnType<typeof setTimeout> | undefined;
  #wake: (() => void) | undefined;
  #cycle: Promise<unknown> | undefined;
  #rotations = 0;
  #expiresAt: number | undefined;
  #nextRotationAt: number | undefined;
  #lastError: TokenRotationError | undefined;

  /**
   * Checks the options; issues nothing until {@link TokenRotator.start}.
   *
   * @throws {AtiError} `ERR_INVALID_ARGUMENT` for a missing `issue` or `sink`, or an option out of range.
   */
  constructor(options: TokenRotatorOptions) {
    if (options === null || typeof options !== 'object') throw invalid('options must be an object');
    if (typeof options.issue !== 'function') throw invalid('issue must be a function');
    if (typeof options.sink !== 'function') throw invalid('sink must be a function (e.g. fileSink(path))');
    optionalFunction(options.onRotate, 'onRotate');
    optionalFunction(options.onError, 'onError');
    this.#refreshAt = fraction(options.refreshAt, 'refreshAt', 2 / 3, 1, true);
    this.#jitter = fraction(
      options.jitter,
      'jitter',
      Math.min(0.05, this.#refreshAt / 2),
      this.#refreshAt,
      false,
    );
    this.#retryInitialMs = positiveMs(options.retryInitialMs, 'retryInitialMs', 500);
    this.#retryMaxMs = positiveMs(options.retryMaxMs, 'retryMaxMs', Math.max(30_000, this.#retryInitialMs));
    if (this.#retryMaxMs < this.#retryInitialMs) throw invalid('retryMaxMs must be at least retryInitialMs');
    this.#sinkTimeoutMs = positiveMs(options.sinkTimeoutMs, 'sinkTimeoutMs', 30_000);
    this.#issue = options.issue;
    this.#sink = options.sink;
    this.#onRotate = options.onRotate;
    this.#onError = options.onError;
  }

  /** `idle` before `start()`, `running` while rotating, `lapsed` after the token expired unrenewed, `stopped` after `stop()`. */
  get state(): TokenRotatorState {
    return this.#state;
  }

  /** Tokens delivered so far. */
  get rotations(): number {
    return this.#rotations;
  }

  /** `exp` of the last token delivered, epoch seconds; `undefined` before the first. */
  get expiresAt(): number | undefined {
    return this.#expiresAt;
  }

  /** When the next rotation is due, epoch milliseconds; `undefined` when none is scheduled. */
  get nextRotationAt(): number | undefined {
    return this.#state === 'running' ? this.#nextRotationAt : undefined;
  }

  /** The last failure reported to `onError`, if any. */
  get lastError(): TokenRotationError | undefined {
    return this.#lastError;
  }

  /**
   * Issue the first token, deliver it, and schedule the rotations. A failure
   * here is thrown, not retried, so a bad path or sink shows up at once; the
   * rotator is then `idle` again and `start()` may be called again (also after
   * a lapse).
   *
   * @returns The first delivery.
   * @throws {TokenRotationError} `ERR_TOKEN_ISSUE_FAILED`, `ERR_TOKEN_SINK_FAILED`;
   *   `ERR_TOKEN_ROTATOR_STOPPED` after `stop()`. {@link AtiError}
   *   `ERR_INVALID_ARGUMENT` when it is already running.
   */
  async start(): Promise<RotationEvent> {
    if (this.#state === 'stopped') {
      throw new TokenRotationError('ERR_TOKEN_ROTATOR_STOPPED', 'The token rotator was stopped');
    }
    if (this.#state === 'starting' || this.#state === 'running')
      throw invalid('The token rotator is already running');
    this.#state = 'starting';
    const first = this.#deliver(1);
    this.#cycle = first;
    let event: RotationEvent;
    try {
      event = await first;
    } catch (err) {
      if (this.#state === 'starting') this.#state = 'idle';
      throw err;
    }
    if (this.#state === 'starting') {
      this.#state = 'running';
      this.#schedule();
    }
    return event;
  }

  /**
   * Stop rotating: cancel the pending timer, abort the sink's `signal`, and
   * wait for a delivery in flight to settle (at most `sinkTimeoutMs`).
   * Afterwards nothing is scheduled and the sink is never called again.
   * Idempotent.
   */
  async stop(): Promise<void> {
    this.#state = 'stopped';
    this.#abort.abort();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#wake?.();
    await this.#cycle?.catch(() => undefined);
  }

  /** `await using rotator = …` stops it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Sleep `ms` on an unref'd timer; resolves early when stopped. */
  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const until = Date.now() + ms;
      const done = () => {
        this.#timer = undefined;
        this.#wake = undefined;
        resolve();
      };
      const arm = () => {
        const left = until - Date.now();
        if (left <= 0 || this.#state === 'stopped') return done();
        this.#timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
        unref(this.#timer);
      };
      this.#wake = done;
      arm();
    });
  }

  /** Wait for the next rotation, then rotate; the next schedules itself. */
  #schedule(): void {
    const due = this.#nextRotationAt ?? Date.now();
    this.#cycle = this.#sleep(due - Date.now()).then(() => this.#rotate());
  }

  /** One rotation: deliver, retrying with backoff until the current token expires. */
  async #rotate(): Promise<void> {
    for (let attempt = 1; this.#state === 'running'; attempt++) {
      try {
        await this.#deliver(attempt);
        if (this.#state === 'running') this.#schedule();
        return;
      } catch (err) {
        if (this.#state !== 'running') return; // stopped mid-delivery: nothing to report
        this.#report(err as TokenRotationError);
        const deadline = (this.#expiresAt ?? 0) * 1000;
        const left = deadline - Date.now();
        if (left <= 0) {
          this.#state = 'lapsed';
          this.#report(
            new TokenRotationError(
              'ERR_TOKEN_ROTATION_LAPSED',
              `The sandbox's token expired (exp ${this.#expiresAt}) before a new one could be delivered after ${attempt} attempts; rotation stopped`,
              { attempt },
            ),
          );
          return;
        }
        const backoff = Math.min(this.#retryInitialMs * 2 ** Math.min(attempt - 1, 30), this.#retryMaxMs);
        await this.#sleep(Math.min(backoff, left));
      }
    }
  }

  /** Issue one token and hand it to the sink. Throws a coded {@link TokenRotationError}. */
  async #deliver(attempt: number): Promise<RotationEvent> {
    const rotation = this.#rotations + 1;
    let token: string;
    let claims: ReturnType<typeof inspectToken>;
    try {
      token = await this.#issue();
      claims = inspectToken(token);
    } catch (err) {
      throw new TokenRotationError('ERR_TOKEN_ISSUE_FAILED', `Issuing token ${rotation} failed`, {
        cause: err,
        attempt,
      });
    }
    // Timed from when the token is in hand: a slow issuer shortens what is left of it.
    const issuedAtMs = Date.now();
    const lifetimeMs = claims.exp * 1000 - issuedAtMs;
    if (!(lifetimeMs > 0)) {
      throw new TokenRotationError(
        'ERR_TOKEN_ISSUE_FAILED',
        `Token ${rotation} was issued already expired (exp ${claims.exp})`,
        { attempt },
      );
    }
    if (this.#abort.signal.aborted)
      throw new TokenRotationError('ERR_TOKEN_ROTATOR_STOPPED', 'The token rotator was stopped');
    try {
      await this.#callSink(token, { expiresAt: claims.exp, rotation });
    } catch (err) {
      // A sink error that holds the token anywhere (message, stack, cause, any property) is not kept.
      const leaks = reachesSecret(err, secretFragments(token));
      throw new TokenRotationError(
        'ERR_TOKEN_SINK_FAILED',
        `Delivering token ${rotation} failed${leaks ? ' (cause withheld: it quoted the token)' : ''}${
          err instanceof AtiError && !leaks ? `: ${err.code}` : ''
        }`,
        { cause: leaks ? undefined : err, attempt },
      );
    }
    const fractionNow = this.#refreshAt - this.#jitter * Math.random();
    this.#rotations = rotation;
    this.#expiresAt = claims.exp;
    this.#nextRotationAt = issuedAtMs + Math.max(MIN_DELAY_MS, Math.floor(lifetimeMs * fractionNow));
    const event: RotationEvent = {
      rotation,
      issuedAt: claims.iat,
      expiresAt: claims.exp,
      jti: claims.jti,
      attempts: attempt,
      nextRotationAt: this.#nextRotationAt,
    };
    this.#call(this.#onRotate, event, 'onRotate');
    return event;
  }

  /**
   * Call the sink with a signal that aborts on `stop()` or after
   * `sinkTimeoutMs`; a sink that has not settled by then counts as failed.
   */
  async #callSink(token: string, info: Omit<TokenSinkContext, 'signal'>): Promise<void> {
    const attempt = new AbortController();
    const onStop = () => attempt.abort();
    this.#abort.signal.addEventListener('abort', onStop, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        attempt.abort();
        reject(new Error(`The sink did not settle within ${this.#sinkTimeoutMs} ms`));
      }, this.#sinkTimeoutMs);
      unref(timer);
    });
    try {
      const call = (async () => this.#sink(token, { ...info, signal: attempt.signal }))();
      call.catch(() => undefined); // a sink that fails after its timeout has already been reported
      await Promise.race([call, timedOut]);
    } finally {
      clearTimeout(timer);
      this.#abort.signal.removeEventListener('abort', onStop);
    }
  }

  #report(error: TokenRotationError): void {
    this.#lastError = error;
    if (this.#onError === undefined) {
      emitWarning(`Token rotation: ${error.code}: ${error.message}`, 'ATI_TOKEN_ROTATION_FAILED');
    } else {
      this.#call(this.#onError, error, 'onError');
    }
  }

  /** Run a callback; one that throws becomes a warning, never a broken rotation. */
  #call<T>(callback: ((value: T) => void) | undefined, value: T, name: string): void {
    if (callback === undefined) return;
    try {
      callback(value);
    } catch (err) {
      emitWarning(
        `Token rotator ${name} callback threw${err instanceof AtiError ? ` ${err.code}` : ''}`,
        'ATI_TOKEN_ROTATION_CALLBACK',
      );
    }
  }
}

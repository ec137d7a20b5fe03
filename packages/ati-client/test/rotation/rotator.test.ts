/**
 * TokenRotator: first delivery, rotation before expiry, backoff retries that
 * report every failure, the lapse, stop/dispose, unref'd timers, and sink
 * errors that quote the token. Real tokens and timers; short TTLs with a low
 * `refreshAt` keep it quick. Nothing asserts on durations.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AtiError, TokenRotationError } from '../../src/errors.ts';
import { inspectToken } from '../../src/token/inspect.ts';
import { TokenRotator, type TokenRotatorOptions } from '../../src/token/rotator.ts';
import { validateToken } from '../../src/token/validate.ts';
import { SECRET } from '../helpers/constants.ts';
import { renderings } from '../helpers/http.ts';
import { rejectsCoded, warningsDuring } from '../helpers/keyring.ts';
import { holdEventLoop, issuer, pause, Recorder, recordingSink } from '../helpers/rotation.ts';

const CHILD = fileURLToPath(new URL('./unref-child.ts', import.meta.url));
const PROJECT = fileURLToPath(new URL('../../', import.meta.url));

/** A 2 s token rotated after 5% of its lifetime (about every 50–100 ms). */
function fast(
  options: Partial<TokenRotatorOptions> & Pick<TokenRotatorOptions, 'sink'>,
): TokenRotatorOptions {
  return { issue: issuer(2), refreshAt: 0.05, jitter: 0.01, retryInitialMs: 20, retryMaxMs: 100, ...options };
}

let release: () => void;
before(() => {
  release = holdEventLoop();
});
after(() => release());

describe('TokenRotator', () => {
  it('start() delivers a valid first token and reports it; rotations follow with fresh tokens', async () => {
    const { sink, tokens } = recordingSink();
    const rec = new Recorder();
    await using rotator = new TokenRotator(fast({ sink, onRotate: rec.onRotate, onError: rec.onError }));
    assert.equal(rotator.state, 'idle');
    const first = await rotator.start();
    assert.equal(rotator.state, 'running');
    assert.equal(first.rotation, 1);
    assert.equal(first.attempts, 1);
    assert.equal(tokens.length, 1);
    const claims = await validateToken(tokens[0]!, { secret: SECRET });
    assert.equal(first.expiresAt, claims.exp);
    assert.equal(first.jti, claims.jti);
    assert.ok(first.nextRotationAt < claims.exp * 1000);
    await rec.until(() => rec.events.length >= 4);
    assert.deepEqual(
      rec.events.map((e) => e.rotation),
      rec.events.map((_, i) => i + 1),
    );
    assert.equal(new Set(tokens).size, tokens.length, 'every rotation is a new token');
    assert.equal(rec.errors.length, 0);
    for (const event of rec.events)
      assert.ok(!JSON.stringify(event).includes('.ey'), 'events carry no token');
  });

  it('a stopped rotator schedules nothing and never calls the sink again', async () => {
    const { sink, calls } = recordingSink();
    const rec = new Recorder();
    const rotator = new TokenRotator(fast({ sink, onRotate: rec.onRotate }));
    await rotator.start();
    await rec.until(() => rec.events.length >= 2);
    await rotator.stop();
    assert.equal(rotator.state, 'stopped');
    assert.equal(rotator.nextRotationAt, undefined);
    const seen = calls.length;
    await pause(300); // several refresh periods
    assert.equal(calls.length, seen);
    await rejectsCoded(rotator.start(), 'ERR_TOKEN_ROTATOR_STOPPED');
    await rotator.stop(); // idempotent
  });

  it('stop() aborts the sink signal and waits for a delivery in flight', async () => {
    let release: () => void = () => {};
    let signal: AbortSignal | undefined;
    let calls = 0;
    const rotator = new TokenRotator(
      fast({
        sink: async (_token, context) => {
          calls++;
          if (calls === 1) return;
          signal = context.signal;
          await new Promise<void>((resolve) => {
            release = resolve;
          });
        },
      }),
    );
    await rotator.start();
    while (signal === undefined) await pause(5);
    let stopped = false;
    const stopping = rotator.stop().then(() => {
      stopped = true;
    });
    await pause(20);
    assert.equal(signal.aborted, true);
    assert.equal(stopped, false, 'stop() waits for the sink');
    release();
    await stopping;
    assert.equal(calls, 2);
  });

  it('a sink that hangs past sinkTimeoutMs is aborted, reported and retried', async () => {
    const rec = new Recorder();
    const signals: AbortSignal[] = [];
    let calls = 0;
    await using rotator = new TokenRotator(
      fast({
        sinkTimeoutMs: 50,
        onRotate: rec.onRotate,
        onError: rec.onError,
        sink: async (_token, context) => {
          if (calls++ !== 1) return;
          signals.push(context.signal);
          await new Promise(() => {}); // never settles
        },
      }),
    );
    await rotator.start();
    await rec.until(() => rec.events.length >= 2);
    assert.equal(rec.errors[0]?.code, 'ERR_TOKEN_SINK_FAILED');
    assert.match((rec.errors[0]!.cause as Error).message, /did not settle within 50 ms/);
    assert.equal(signals[0]?.aborted, true);
    assert.equal(rec.events[1]?.attempts, 2);
  });

  it('retries a failing sink with backoff, reporting every failure, until it recovers', async () => {
    const { sink, tokens, failing } = recordingSink();
    const rec = new Recorder();
    await using rotator = new TokenRotator(fast({ sink, onRotate: rec.onRotate, onError: rec.onError }));
    await rotator.start();
    failing.on = true;
    await rec.until(() => rec.errors.length >= 3);
    failing.on = false;
    await rec.until(() => rec.events.length >= 2);
    const errors = rec.errors.slice(0, 3);
    assert.deepEqual(
      errors.map((e) => [e.code, e.attempt]),
      [
        ['ERR_TOKEN_SINK_FAILED', 1],
        ['ERR_TOKEN_SINK_FAILED', 2],
        ['ERR_TOKEN_SINK_FAILED', 3],
      ],
    );
    assert.ok(errors.every((e) => e instanceof TokenRotationError && e.cause instanceof Error));
    const recovered = rec.events[1]!;
    assert.equal(recovered.rotation, 2);
    assert.ok(recovered.attempts >= 4);
    assert.equal(tokens.length, 2);
    assert.equal(rotator.lastError, rec.errors.at(-1));
  });

  it('gives up when the current token expires, reports ERR_TOKEN_ROTATION_LAPSED, then stays quiet', async () => {
    const { sink, failing, calls } = recordingSink();
    const rec = new Recorder();
    const rotator = new TokenRotator(fast({ sink, onError: rec.onError, retryMaxMs: 200 }));
    const first = await rotator.start();
    failing.on = true;
    await rec.until(() => rec.errors.some((e) => e.code === 'ERR_TOKEN_ROTATION_LAPSED'));
    assert.equal(rotator.state, 'lapsed');
    assert.equal(rotator.expiresAt, first.expiresAt);
    const lapse = rec.errors.at(-1)!;
    assert.equal(lapse.code, 'ERR_TOKEN_ROTATION_LAPSED');
    assert.ok(lapse.attempt >= 2);
    assert.ok(Date.now() >= first.expiresAt * 1000, 'only after the token the sandbox holds expired');
    assert.ok(rec.errors.slice(0, -1).every((e) => e.code === 'ERR_TOKEN_SINK_FAILED'));
    const seen = calls.length;
    await pause(300);
    assert.equal(calls.length, seen);
    // A lapsed rotator can be started again.
    failing.on = false;
    assert.equal((await rotator.start()).rotation, 2);
    await rotator.stop();
  });

  it('reports a failing issuer as ERR_TOKEN_ISSUE_FAILED and retries it', async () => {
    const { sink } = recordingSink();
    const rec = new Recorder();
    let broken = false;
    const issue = issuer(2);
    await using rotator = new TokenRotator(
      fast({
        sink,
        onRotate: rec.onRotate,
        onError: rec.onError,
        issue: () => (broken ? Promise.reject(new Error('KMS down')) : issue()),
      }),
    );
    await rotator.start();
    broken = true;
    await rec.until(() => rec.errors.length >= 2);
    broken = false;
    await rec.until(() => rec.events.length >= 2);
    assert.deepEqual(
      rec.errors.slice(0, 2).map((e) => e.code),
      ['ERR_TOKEN_ISSUE_FAILED', 'ERR_TOKEN_ISSUE_FAILED'],
    );
  });

  /**
   * Run a rotator whose sink takes the first token and then throws `make(token)`;
   * check each reported error keeps no cause and no rendering shows any `reveal(token)`.
   */
  async function assertSinkErrorWithheld(
    make: (token: string) => unknown,
    reveal: (token: string) => string = (token) => token,
    failures = 1,
  ): Promise<void> {
    const rec = new Recorder();
    const seen: string[] = [];
    await using rotator = new TokenRotator(
      fast({
        onError: rec.onError,
        sink: async (token) => {
          seen.push(token);
          if (seen.length === 1) return;
          throw make(token);
        },
      }),
    );
    await rotator.start();
    await rec.until(() => rec.errors.length >= failures);
    await rotator.stop();
    for (const error of rec.errors) {
      assert.equal(error.cause, undefined);
      assert.match(error.message, /cause withheld/);
      for (const text of renderings(error))
        for (const token of seen) assert.ok(!text.includes(reveal(token)));
    }
  }

  it('withholds a sink error that quotes the token: no rendering of any reported error holds it', async () => {
    await assertSinkErrorWithheld(
      (token) => new Error(`upload of ${token} failed`, { cause: new Error(`body: ${token}`) }),
      undefined,
      2,
    );
  });

  it('withholds a sink error that holds the token in any other property (an HTTP client request body, an AggregateError)', async () => {
    await assertSinkErrorWithheld((token) =>
      Object.assign(new Error('Request failed with status 500'), { config: { data: token } }),
    );
    await assertSinkErrorWithheld(
      (token) => new AggregateError([new Error(`bad ${token}`)], 'all uploads failed'),
    );
    await assertSinkErrorWithheld((token) => ({ status: 500, body: { echoed: [token] } }));
    await assertSinkErrorWithheld((token) =>
      Object.defineProperty(new Error('upload failed'), 'body', { get: () => token, enumerable: true }),
    );
  });

  it('withholds a sink error that quotes only a part of the token (its signature segment)', async () => {
    const signature = (token: string) => token.split('.')[2]!;
    await assertSinkErrorWithheld((token) => new Error(`bad signature ${signature(token)}`), signature);
  });

  it('without onError, each failure is a process warning (never silent)', async () => {
    const { sink, failing } = recordingSink();
    const rotator = new TokenRotator(fast({ sink }));
    await rotator.start();
    const warnings = await warningsDuring('ATI_TOKEN_ROTATION_FAILED', async () => {
      failing.on = true;
      while (rotator.lastError === undefined) await pause(10);
      await rotator.stop();
    });
    assert.ok(warnings.length >= 1);
    assert.match(warnings[0]!, /ERR_TOKEN_SINK_FAILED/);
  });

  it('a callback that throws is a warning, not a broken rotation', async () => {
    const { sink } = recordingSink();
    let rotations = 0;
    const rotator = new TokenRotator(
      fast({
        sink,
        onRotate: () => {
          rotations++;
          throw new Error('logger broke');
        },
      }),
    );
    const warnings = await warningsDuring('ATI_TOKEN_ROTATION_CALLBACK', async () => {
      await rotator.start();
      while (rotations < 3) await pause(10);
      await rotator.stop();
    });
    assert.ok(warnings.length >= 3);
  });

  it('start() throws a failing first delivery (no retry) and may be called again', async () => {
    const { sink, failing, tokens } = recordingSink();
    const rotator = new TokenRotator(fast({ sink }));
    failing.on = true;
    await rejectsCoded(rotator.start(), 'ERR_TOKEN_SINK_FAILED');
    assert.equal(rotator.state, 'idle');
    failing.on = false;
    await rotator.start();
    await rejectsCoded(rotator.start(), 'ERR_INVALID_ARGUMENT');
    await rotator.stop();
    assert.equal(tokens.length >= 1, true);
  });

  it('an issued token that is already expired is an issue failure, not a hot loop', async () => {
    const expired = issuer(1);
    const rotator = new TokenRotator({
      sink: async () => {},
      issue: async () => {
        const token = await expired();
        const { exp } = inspectToken(token);
        while (Date.now() < exp * 1000) await pause(20);
        return token;
      },
    });
    await rejectsCoded(rotator.start(), 'ERR_TOKEN_ISSUE_FAILED');
  });

  it('options are checked at construction', () => {
    const sink = async () => {};
    const issue = issuer(2);
    const bad: unknown[] = [
      null,
      {},
      { issue },
      { sink },
      { issue, sink: 'path' },
      { issue, sink, refreshAt: 0 },
      { issue, sink, refreshAt: 1 },
      { issue, sink, refreshAt: Number.NaN },
      { issue, sink, refreshAt: 0.5, jitter: 0.5 },
      { issue, sink, jitter: -0.1 },
      { issue, sink, retryInitialMs: 0 },
      { issue, sink, retryInitialMs: 1.5 },
      { issue, sink, retryInitialMs: 100, retryMaxMs: 50 },
      { issue, sink, onError: 'log' },
      { issue, sink, onRotate: 1 },
      { issue, sink, sinkTimeoutMs: 0 },
    ];
    for (const options of bad) {
      assert.throws(
        () => new TokenRotator(options as TokenRotatorOptions),
        (err: unknown) => err instanceof AtiError && err.code === 'ERR_INVALID_ARGUMENT',
      );
    }
  });

  it('holds no timer that keeps the process alive (a child that only starts a rotator exits on its own)', () => {
    const result = spawnSync(process.execPath, ['--conditions=ati-source', '--import', 'tsx', CHILD], {
      cwd: PROJECT,
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^started rotation=1\n$/);
  });
});

/** Shared by the rotation tests: a recording sink and ways to wait for rotator events. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TokenRotationError } from '../../src/errors.ts';
import { issueToken } from '../../src/token/issue.ts';
import type { RotationEvent, TokenSink } from '../../src/token/rotator.ts';
import { SECRET } from './constants.ts';

/** An issuer of real HS256 tokens with a short TTL. */
export const issuer = (ttlSeconds: number) => () =>
  issueToken({ secret: SECRET, sub: 'sandbox:rot', scope: 'tool:web_search', ttlSeconds });

/** A sink that records tokens, with a switch to make it fail. */
export function recordingSink(): {
  sink: TokenSink;
  tokens: string[];
  failing: { on: boolean };
  calls: number[];
} {
  const tokens: string[] = [];
  const failing = { on: false };
  const calls: number[] = [];
  const sink: TokenSink = async (token, context) => {
    calls.push(context.rotation);
    if (failing.on) throw new Error('sandbox API unavailable (503)');
    tokens.push(token);
  };
  return { sink, tokens, failing, calls };
}

/** Events and errors of a rotator, with promises for "the n-th happened". */
export class Recorder {
  readonly events: RotationEvent[] = [];
  readonly errors: TokenRotationError[] = [];
  #waiters: { done: () => boolean; resolve: () => void }[] = [];

  readonly onRotate = (event: RotationEvent): void => {
    this.events.push(event);
    this.#check();
  };

  readonly onError = (error: TokenRotationError): void => {
    this.errors.push(error);
    this.#check();
  };

  /** Resolves once `done()` holds, checked after every event and error. */
  until(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ done, resolve }));
  }

  #check(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.done()) return true;
      w.resolve();
      return false;
    });
  }
}

/** Wait `ms` on a ref'd timer (the test's own, so the process stays up). */
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The rotator's timers are unref'd (it never keeps a process alive), so a
 * test that waits on them holds the event loop open itself.
 */
export function holdEventLoop(): () => void {
  const timer = setInterval(() => {}, 60_000);
  return () => clearInterval(timer);
}

/** Token `i` of the racing-reader test: lengths vary widely, so a partial read never passes for a whole token. */
export const tokenFor = (i: number): string => `tok-${i}-${'x'.repeat((i * 7919) % 6000)}-end`;

/** Whether `token` is exactly `tokenFor(i)` for the `i` it names. */
export function isWholeToken(token: string | undefined): boolean {
  const i = token === undefined ? Number.NaN : Number(/^tok-(\d+)-/.exec(token)?.[1]);
  return Number.isSafeInteger(i) && token === tokenFor(i);
}

/** A TypeScript child process (tsx, source conditions) whose output stream can be awaited for some text. */
export function spawnTs(
  args: string[],
  options: { stream: 'stdout' | 'stderr'; stdin?: 'pipe' | 'ignore'; env?: NodeJS.ProcessEnv },
): {
  child: ChildProcess;
  text: () => string;
  until: (needle: string) => Promise<void>;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--conditions=ati-source', '--import', 'tsx', ...args], {
    cwd: fileURLToPath(new URL('../../', import.meta.url)),
    env: options.env ?? process.env,
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters: { needle: string; resolve: () => void }[] = [];
  const stream = options.stream === 'stdout' ? child.stdout! : child.stderr!;
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    text += chunk;
    for (const w of waiters.splice(0)) {
      if (text.includes(w.needle)) w.resolve();
      else waiters.push(w);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    text: () => text,
    until: (needle) =>
      text.includes(needle) ? Promise.resolve() : new Promise((resolve) => waiters.push({ needle, resolve })),
    exited,
  };
}

/**
 * PyJWT as a benchmark peer: ONE `/usr/bin/python3` process per suite runs
 * bench/pyjwt_bench.py, which times jwt.encode / jwt.decode (with the ATI
 * Python SDK's options) on request, one round at a time, so the harness can
 * interleave PyJWT's rounds with the in-process peers.
 *
 * @module
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ExternalPeer, RunConfig } from './harness.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./pyjwt_bench.py', import.meta.url));

/** What the Python side needs. Keys go over stdin, never on the command line. */
export interface PyJwtInput {
  alg: 'HS256' | 'ES256';
  claims: Record<string, unknown>;
  token: string;
  audience: string;
  issuer: string;
  leeway: number;
  secret?: string;
  private_key?: string;
  public_key?: string;
}

function numberField(line: string, field: string): number {
  const v: unknown = JSON.parse(line);
  const x = typeof v === 'object' && v !== null ? Reflect.get(v, field) : undefined;
  if (typeof x !== 'number') throw new Error(`pyjwt_bench.py: expected {"${field}": number}`);
  return x;
}

/** One Python process speaking the line protocol of bench/pyjwt_bench.py. */
class PyWorker {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: Interface;
  readonly queue: ((line: string) => void)[] = [];
  stderr = '';
  failed: Error | undefined;

  constructor(input: PyJwtInput) {
    this.child = spawn(PYTHON, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => {
      this.stderr += d;
    });
    this.lines = createInterface({ input: this.child.stdout });
    this.lines.on('line', (line) => this.queue.shift()?.(line));
    this.child.on('close', (code) => {
      // The script never prints keys; its stderr is a Python traceback at most.
      this.failed = new Error(
        `pyjwt_bench.py exited (${code}): ${this.stderr.trim().split('\n').slice(-2).join(' | ')}`,
      );
      for (const f of this.queue.splice(0)) f('');
    });
    this.child.stdin.write(`${JSON.stringify(input)}\n`);
  }

  /** Send one request line (or nothing, for the greeting) and read one reply line. */
  request(msg?: Record<string, unknown>): Promise<string> {
    return new Promise((resolve, reject) => {
      if (this.failed) {
        reject(this.failed);
        return;
      }
      this.queue.push((line) => (line === '' && this.failed ? reject(this.failed) : resolve(line)));
      if (msg !== undefined) this.child.stdin.write(`${JSON.stringify(msg)}\n`);
    });
  }

  close(): void {
    this.child.stdin.end();
  }
}

/** Can `/usr/bin/python3` import these modules? (ES256 also needs python3-cryptography.) */
export function pythonHas(modules: readonly string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}

/**
 * Two external peers (`issue`, `validate`) sharing a Python process, started
 * when a case first needs it and ended by the harness's `close()` at the end
 * of that case (the next case starts a fresh one).
 */
export function pyjwtPeers(input: PyJwtInput): { issue: ExternalPeer; validate: ExternalPeer } {
  let worker: PyWorker | undefined;
  let greeted: Promise<string> | undefined;
  const start = () => {
    worker ??= new PyWorker(input);
    greeted ??= worker.request();
    return greeted.then(() => worker!);
  };
  const note =
    input.alg === 'HS256'
      ? 'jwt.encode / jwt.decode, key bytes.fromhex once, SDK options'
      : 'jwt.encode / jwt.decode, cryptography key objects loaded once, SDK options';
  const peer = (op: 'issue' | 'validate'): ExternalPeer => ({
    name: 'PyJWT',
    note,
    async prepare(config: RunConfig) {
      const w = await start();
      numberField(
        await w.request({ cmd: 'calibrate', op, warmup_ms: config.warmupMs, round_ms: config.roundMs }),
        'n',
      );
    },
    async round() {
      const w = await start();
      return numberField(await w.request({ cmd: 'round', op }), 'ops_per_sec');
    },
    close() {
      worker?.close();
      worker = undefined;
      greeted = undefined;
    },
  });
  return { issue: peer('issue'), validate: peer('validate') };
}

/** `Python x.y.z, PyJWT a.b.c`, for the record. */
export function pythonVersions(): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(
      PYTHON,
      ['-c', 'import sys, jwt; print(f"Python {sys.version.split()[0]}, PyJWT {jwt.__version__}")'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.on('error', () => resolve('python3 unavailable'));
    child.on('close', () => resolve(out.trim() || 'PyJWT unavailable'));
  });
}

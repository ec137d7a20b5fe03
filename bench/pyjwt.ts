/**
 * PyJWT as a benchmark peer: one `/usr/bin/python3` process per suite times
 * jwt.encode and jwt.decode (with the ATI Python SDK's options) in its own
 * interleaved rounds and prints per-round ops/s as JSON.
 *
 * @module
 */
import { spawn } from 'node:child_process';
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

interface PyJwtOutput {
  python: string;
  pyjwt: string;
  issue: number[];
  validate: number[];
}

function isOutput(v: unknown): v is PyJwtOutput {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const nums = (x: unknown) => Array.isArray(x) && x.every((n) => typeof n === 'number');
  return typeof o.python === 'string' && typeof o.pyjwt === 'string' && nums(o.issue) && nums(o.validate);
}

function runPython(input: PyJwtInput, config: RunConfig): Promise<PyJwtOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        // The script never prints keys; its stderr is a Python traceback at most.
        reject(
          new Error(`pyjwt_bench.py exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`),
        );
        return;
      }
      const parsed: unknown = JSON.parse(out);
      if (!isOutput(parsed)) reject(new Error('pyjwt_bench.py printed an unexpected shape'));
      else resolve(parsed);
    });
    child.stdin.end(
      JSON.stringify({
        ...input,
        rounds: config.rounds,
        round_ms: config.roundMs,
        warmup_ms: config.warmupMs,
      }),
    );
  });
}

/** Is PyJWT importable here? (`ES256` also needs python3-cryptography.) */
export function pythonHas(modules: readonly string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}

/**
 * Two external peers (`issue`, `validate`) backed by ONE Python process,
 * started when the first of them is measured.
 */
export function pyjwtPeers(input: PyJwtInput): { issue: ExternalPeer; validate: ExternalPeer } {
  let run: Promise<PyJwtOutput> | undefined;
  const get = (config: RunConfig) => {
    run ??= runPython(input, config);
    return run;
  };
  const note =
    input.alg === 'HS256'
      ? 'jwt.encode / jwt.decode, key bytes.fromhex once, SDK options'
      : 'jwt.encode / jwt.decode, cryptography key objects loaded once';
  return {
    issue: { name: 'PyJWT', note, measure: async (c) => (await get(c)).issue },
    validate: { name: 'PyJWT', note, measure: async (c) => (await get(c)).validate },
  };
}

/** `python x.y.z, PyJWT a.b.c`, for the record. */
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

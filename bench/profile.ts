/**
 * CPU-profile one of our hot paths and print where the time goes.
 *
 *   node --conditions=ati-source --import tsx bench/profile.ts <workload> [seconds]
 *
 * Workloads: `hs256-issue`, `hs256-validate`, `es256-issue`, `es256-validate`.
 * It re-runs itself under `node --cpu-prof` (profile written to a temp dir and
 * removed), then prints the top functions by self time and by total time.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPair, issueToken, validateToken } from '../packages/ati-client/src/index.ts';
import { ISSUER, makeClaims, RATE } from './fixtures.ts';

const SECRET = '4f1c6a0e9b2d7c3a58e1f0b6d4a29c7e13b8f5d0a6c2e9f7b1d3a5c8e0f2b4d6';
const WORKLOADS = ['hs256-issue', 'hs256-validate', 'es256-issue', 'es256-validate'] as const;
type Workload = (typeof WORKLOADS)[number];

function isWorkload(w: string | undefined): w is Workload {
  return WORKLOADS.some((x) => x === w);
}

async function workload(name: Workload): Promise<() => Promise<unknown>> {
  const claims = makeClaims();
  const base = {
    sub: claims.sub,
    scope: claims.scope,
    jti: claims.jti,
    rate: RATE,
    now: claims.iat,
    ttlSeconds: 3600,
  };
  if (name.startsWith('hs256')) {
    const options = { ...base, secret: SECRET };
    if (name === 'hs256-issue') return () => issueToken(options);
    const token = await issueToken(options);
    return () => validateToken(token, { secret: SECRET, issuer: ISSUER });
  }
  const { privateKey, publicKey } = await generateKeyPair();
  const options = { ...base, privateKey };
  if (name === 'es256-issue') return () => issueToken(options);
  const token = await issueToken(options);
  return () => validateToken(token, { publicKey, issuer: ISSUER });
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function label(n: ProfileNode): string {
  const f = n.callFrame;
  const file = f.url.replace(/^.*\/(node_modules\/|src\/|bench\/)/, '$1');
  return `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
}

/** Self and inclusive time per function, from a V8 .cpuprofile. */
function summarize(p: Profile, top: number): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    all += dt;
    const n = byId.get(id)!;
    const l = label(n);
    self.set(l, (self.get(l) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const lab = label(byId.get(cur)!);
      if (!seen.has(lab)) total.set(lab, (total.get(lab) ?? 0) + dt);
      seen.add(lab);
    }
  });
  const fmt = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([l, t]) => `${((100 * t) / all).toFixed(1).padStart(5)}%  ${l}`)
      .join('\n');
  return `self time:\n${fmt(self)}\n\ninclusive time:\n${fmt(total)}`;
}

async function main(): Promise<void> {
  const [name, secondsArg] = process.argv.slice(2);
  if (!isWorkload(name)) throw new Error(`usage: profile.ts <${WORKLOADS.join('|')}> [seconds]`);
  const seconds = Number(secondsArg ?? 5);
  if (!process.execArgv.some((a) => a.startsWith('--cpu-prof'))) {
    const dir = mkdtempSync(join(tmpdir(), 'ati-prof-'));
    try {
      const r = spawnSync(
        process.execPath,
        [
          ...process.execArgv,
          '--cpu-prof',
          `--cpu-prof-dir=${dir}`,
          fileURLToPath(import.meta.url),
          name,
          `${seconds}`,
        ],
        { stdio: 'inherit' },
      );
      if (r.status !== 0) throw new Error(`profiled run exited with ${r.status}`);
      const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
      if (file === undefined) throw new Error('no profile written');
      const profile: Profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      console.log(summarize(profile, 25));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  const fn = await workload(name);
  const end = performance.now() + seconds * 1000;
  let ops = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 1000; i++) await fn();
    ops += 1000;
  }
  console.log(`${name}: ${Math.round(ops / seconds).toLocaleString('en-US')} ops/s under the profiler`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});

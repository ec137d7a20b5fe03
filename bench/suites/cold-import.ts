/**
 * Cold import (wall time, not ops/s): what `import('ati-client')` costs a
 * fresh Node process, next to bare Node (importing an empty module) and to
 * `import('jose')`.
 *
 * Each sample is a new `node` process (no flags, no loader, no compile cache)
 * that times its own `await import(spec)` with `performance.now()` and prints
 * it; the parent also times the process from spawn to exit. Peers run
 * interleaved, one sample each per round, forward then reverse order, so
 * drift on this shared machine lands on all of them alike. ati-client is
 * imported as a user gets it: the workspace link resolves to the built
 * `dist/` (run `npm run build` first), without the `ati-source` condition.
 *
 * Run: `npm run bench -- cold-import [--rounds=N] [--no-write]`.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { machineInfo, machineLine, median } from '../harness.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** `import('ati-client')` in-process on Node 20, issue 8's goal. */
const TARGET_MS = 10;

interface ColdPeer {
  readonly name: string;
  readonly note: string;
  /** The specifier the child imports (resolved from {@link ColdPeer.cwd}). */
  readonly spec: string;
  /** Where the child runs (and so where a bare specifier resolves from); the repository root if absent. */
  readonly cwd?: string;
}

interface Sample {
  /** `await import(spec)` inside the child, ms. */
  readonly importMs: number;
  /** Spawn to exit, seen by the parent, ms. */
  readonly wallMs: number;
}

const CHILD = `
const t0 = performance.now();
const mod = await import(process.argv[1]);
const ms = performance.now() - t0;
console.log(JSON.stringify({ ms, exports: Object.keys(mod).length }));
`;

async function sample(peer: ColdPeer, env: NodeJS.ProcessEnv): Promise<Sample & { exports: number }> {
  const t0 = performance.now();
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', CHILD, peer.spec], {
    cwd: peer.cwd ?? ROOT,
    env,
  });
  const wallMs = performance.now() - t0;
  const out = JSON.parse(stdout) as { ms: number; exports: number };
  return { importMs: out.ms, wallMs, exports: out.exports };
}

/**
 * ati-client as tsc emits it (one file per module, as 0.2.0 shipped), in
 * `dir`: the reference that shows what bundling saves. Same package.json, so
 * `#crypto` resolves the same way.
 */
async function unbundled(dir: string): Promise<string> {
  const pkg = join(ROOT, 'packages/ati-client');
  await run(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(pkg, 'tsconfig.build.json')].concat([
      '--declaration',
      'false',
      '--emitDeclarationOnly',
      'false',
      '--outDir',
      join(dir, 'tsc/dist'),
    ]),
  );
  await copyFile(join(pkg, 'package.json'), join(dir, 'tsc/package.json'));
  return pathToFileURL(join(dir, 'tsc/dist/index.js')).href;
}

/**
 * A one-line package (`export const x = 1`) with an `exports` map, installed
 * in `dir/node_modules`: what importing any package by name costs before its
 * own code, i.e. the floor for `import('ati-client')`. Returns the directory
 * to run the child in.
 */
async function oneLinePackage(dir: string): Promise<string> {
  const pkg = join(dir, 'floor/node_modules/one-line');
  await mkdir(pkg, { recursive: true });
  const manifest = {
    name: 'one-line',
    type: 'module',
    exports: { '.': { types: './index.d.ts', default: './index.js' } },
  };
  await writeFile(join(pkg, 'package.json'), `${JSON.stringify(manifest)}\n`);
  await writeFile(join(pkg, 'index.js'), 'export const x = 1;\n');
  return join(dir, 'floor');
}

function mad(xs: readonly number[]): number {
  const m = median(xs);
  return median(xs.map((x) => Math.abs(x - m)));
}

interface PeerStats {
  name: string;
  note: string;
  importMs: number;
  importMad: number;
  wallMs: number;
  wallMad: number;
  samples: Sample[];
}

function table(stats: readonly PeerStats[]): string {
  const bare = stats.find((s) => s.name === 'bare Node')!;
  const ours = stats.find((s) => s.name === 'ati-client')!;
  const lines = [
    '| peer | what the child imports | import ms (in-process) | ± (MAD) | process ms (spawn to exit) | over bare Node | ati-client ÷ peer (import ms) |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const s of stats) {
    const name = s === ours ? `**${s.name}**` : s.name;
    const over = s === bare ? '—' : `+${(s.wallMs - bare.wallMs).toFixed(1)} ms`;
    lines.push(
      `| ${name} | ${s.note} | ${s.importMs.toFixed(2)} | ${s.importMad.toFixed(2)} | ${s.wallMs.toFixed(1)} | ${over} | ${(ours.importMs / s.importMs).toFixed(2)}× |`,
    );
  }
  return lines.join('\n');
}

/** Run the suite; prints markdown and (if `write`) saves `bench/results/cold-import.json`. */
export default async function coldImport(options: { rounds?: number; write: boolean }): Promise<void> {
  const entry = join(ROOT, 'packages/ati-client/dist/index.js');
  if (!existsSync(entry))
    throw new Error('cold-import measures the built package: run `npm run build` first');
  const dir = await mkdtemp(join(tmpdir(), 'ati-cold-'));
  try {
    const empty = join(dir, 'empty.mjs');
    await writeFile(empty, 'export {};\n');
    const peers: ColdPeer[] = [
      { name: 'bare Node', note: 'an empty module', spec: pathToFileURL(empty).href },
      {
        name: 'one-line package',
        note: 'a package whose whole code is `export const x = 1`, by name (the floor for any package)',
        spec: 'one-line',
        cwd: await oneLinePackage(dir),
      },
      { name: 'ati-client', note: "`'ati-client'` (dist, as published)", spec: 'ati-client' },
      { name: 'ati-client/node', note: "`'ati-client/node'`", spec: 'ati-client/node' },
      {
        name: 'ati-client unbundled',
        note: "tsc's output, one file per module (as 0.2.0 shipped)",
        spec: await unbundled(dir),
      },
      { name: 'jose', note: "`'jose'`", spec: 'jose' },
    ];
    const { NODE_OPTIONS: _, ...env } = process.env;
    // Check every peer loads (and warm the disk cache) before anything is recorded.
    for (const p of peers) {
      const s = await sample(p, env);
      if (p.name !== 'bare Node' && s.exports === 0) throw new Error(`${p.name} imported no exports`);
    }
    const rounds = Math.max(options.rounds ?? 30, 5);
    const samples = new Map<string, Sample[]>(peers.map((p) => [p.name, []]));
    for (let r = 0; r < rounds; r++) {
      for (const p of r % 2 === 0 ? peers : [...peers].reverse())
        samples.get(p.name)!.push(await sample(p, env));
    }
    const stats = peers.map((p): PeerStats => {
      const s = samples.get(p.name)!;
      const imports = s.map((x) => x.importMs);
      const walls = s.map((x) => x.wallMs);
      return {
        name: p.name,
        note: p.note,
        importMs: median(imports),
        importMad: mad(imports),
        wallMs: median(walls),
        wallMad: mad(walls),
        samples: s,
      };
    });
    const machine = machineInfo();
    console.log(`## cold-import\n\n${machineLine(machine)}\n`);
    console.log(`Median of ${rounds} fresh processes per peer, interleaved.\n`);
    console.log(`${table(stats)}\n`);
    const ours = stats.find((s) => s.name === 'ati-client')!;
    const floor = stats.find((s) => s.name === 'one-line package')!;
    console.log(
      `import('ati-client') costs ${(ours.importMs - floor.importMs).toFixed(2)} ms over a one-line package (${floor.importMs.toFixed(2)} ms), which no package can go below on this machine\n`,
    );
    console.log(
      `${ours.importMs <= TARGET_MS ? 'PASS' : 'FAIL'}  cold-import: import('ati-client') in-process ${ours.importMs.toFixed(2)} ms, need ≤ ${TARGET_MS} ms (Node 20)\n`,
    );
    if (options.write) {
      await writeFile(
        fileURLToPath(new URL('../results/cold-import.json', import.meta.url)),
        `${JSON.stringify({ suite: 'cold-import', machine, rounds, peers: stats }, null, 2)}\n`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

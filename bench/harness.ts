/**
 * A small in-house benchmark harness (no dependencies).
 *
 * Method: every peer of a case is warmed up and calibrated, then all peers
 * run INTERLEAVED in rounds inside one process (round r runs the peers in
 * forward order, round r+1 in reverse), each round a fixed number of
 * operations sized to take about `roundMs`. We report the median ops/s over
 * the rounds and the ratio `ours ÷ peer`. Interleaving spreads slow drifts
 * (thermal, other load on the host, GC state) over all peers alike, and the
 * ratio is what carries over between machines; absolute ops/s do not.
 *
 * Peers that cannot run in this process (PyJWT) are {@link ExternalPeer}s:
 * they time each round in their own process, on request, and take their turn
 * in the same interleaved order while this process waits.
 *
 * @module
 */
import { cpus, loadavg, totalmem } from 'node:os';

/** One in-process contender. */
export interface Peer {
  /** Short id, used in tables and by {@link Target.peer}. */
  readonly name: string;
  /** How the peer is set up (key form, cache, …), shown in the table. */
  readonly note?: string;
  /** One operation. May return a promise, which is awaited. */
  readonly fn: () => unknown;
}

/**
 * A contender timed in another process (PyJWT). It takes part in the same
 * interleaved rounds: while it runs a round, this process only waits.
 */
export interface ExternalPeer {
  readonly name: string;
  readonly note?: string;
  /** Start if needed, warm up for `warmupMs` and size a round to `roundMs`. */
  readonly prepare: (config: RunConfig) => Promise<void>;
  /** Run one round; resolves to its ops/s. */
  readonly round: () => Promise<number>;
  /** Called once the case is done. */
  readonly close?: () => void;
}

/**
 * A performance target: `ours ≥ atLeast × peer` on median ops/s.
 * `atLeast: 0.5` reads "within 2× of".
 */
export interface Target {
  readonly peer: string;
  readonly atLeast: number;
  /** Human label, e.g. `'HS256 validate ≥ fast-jwt (cache off)'`. */
  readonly label: string;
}

/** One benchmark case: several peers doing the same work. */
export interface BenchCase {
  /** e.g. `'issue'`, `'validate'`. */
  readonly name: string;
  /** What one operation does, for the README. */
  readonly description?: string;
  /** The name of our peer; ratios are computed against it. @default 'ours' */
  readonly ours?: string;
  readonly peers: readonly Peer[];
  readonly external?: readonly ExternalPeer[];
  readonly targets?: readonly Target[];
}

/** A named group of cases, built lazily (so a filtered-out suite does no setup). */
export interface Suite {
  readonly name: string;
  readonly load: () => Promise<readonly BenchCase[]>;
}

/**
 * Declare a suite. `cases` may be an array or an (async) factory that builds
 * keys and tokens first; the factory only runs if the suite is selected.
 *
 * @example
 * ```ts
 * export default defineSuite('base64url', async () => [
 *   { name: 'encode', peers: [{ name: 'ours', fn: () => base64urlEncode(bytes) },
 *                             { name: 'Buffer', fn: () => Buffer.from(bytes).toString('base64url') }] },
 * ]);
 * ```
 */
export function defineSuite(
  name: string,
  cases: readonly BenchCase[] | (() => readonly BenchCase[] | Promise<readonly BenchCase[]>),
): Suite {
  return {
    name,
    load: async () => (typeof cases === 'function' ? await cases() : cases),
  };
}

/** Knobs of a run. */
export interface RunConfig {
  /** Measured rounds per case. @default 10 */
  rounds: number;
  /** Target wall time of one peer's round, in ms. @default 200 */
  roundMs: number;
  /** Warm-up time per peer before calibration, in ms. @default 300 */
  warmupMs: number;
}

export const DEFAULT_CONFIG: RunConfig = { rounds: 10, roundMs: 200, warmupMs: 300 };

/** Result for one peer. */
export interface PeerResult {
  name: string;
  note: string | undefined;
  external: boolean;
  /** Median ops/s over the rounds. */
  opsPerSec: number;
  /** Median absolute deviation as a fraction of the median (noise indicator). */
  mad: number;
  /** `ours ÷ this peer` on medians; > 1 means ours is faster. */
  ratio: number;
  samples: number[];
}

export interface TargetResult {
  label: string;
  peer: string;
  atLeast: number;
  ratio: number;
  pass: boolean;
}

export interface CaseResult {
  name: string;
  description: string | undefined;
  ours: string;
  peers: PeerResult[];
  targets: TargetResult[];
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  v8: string;
  platform: string;
  loadavg: number[];
  date: string;
}

export interface SuiteResult {
  suite: string;
  machine: MachineInfo;
  config: RunConfig;
  cases: CaseResult[];
}

/** The machine we run on, for the record (STYLE habit 10). */
export function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    cpu: c[0]?.model.trim() ?? 'unknown',
    cores: c.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform} ${process.arch}`,
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
    date: new Date().toISOString(),
  };
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (
    (typeof v === 'object' || typeof v === 'function') &&
    v !== null &&
    typeof (v as { then?: unknown }).then === 'function'
  );
}

/** Keeps results observable so no engine can drop the work. */
let sink: unknown;

/** Time `n` calls of a sync or async peer, in seconds. */
async function timeBatch(fn: () => unknown, isAsync: boolean, n: number): Promise<number> {
  let last: unknown;
  const t0 = process.hrtime.bigint();
  if (isAsync) {
    for (let i = 0; i < n; i++) last = await fn();
  } else {
    for (let i = 0; i < n; i++) last = fn();
  }
  const t1 = process.hrtime.bigint();
  sink = last;
  return Number(t1 - t0) / 1e9;
}

interface Calibrated {
  isAsync: boolean;
  n: number;
}

/** Warm up for `warmupMs`, doubling the batch, and size a round to `roundMs`. */
async function calibrate(peer: Peer, config: RunConfig): Promise<Calibrated> {
  const first = peer.fn();
  const isAsync = isThenable(first);
  if (isAsync) await first;
  let n = 1;
  let spent = 0;
  let rate = 0;
  while (spent * 1000 < config.warmupMs) {
    const s = await timeBatch(peer.fn, isAsync, n);
    spent += s;
    if (s > 0) rate = n / s;
    if (s * 1000 < config.warmupMs / 8) n *= 2;
  }
  return { isAsync, n: Math.max(1, Math.round((rate * config.roundMs) / 1000)) };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? Number.NaN : s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function relativeMad(xs: readonly number[]): number {
  const m = median(xs);
  return median(xs.map((x) => Math.abs(x - m))) / m;
}

/** A peer ready for rounds: in-process or external, with its recorded samples. */
interface Runner {
  name: string;
  note: string | undefined;
  external: boolean;
  /** One round; resolves to its ops/s. */
  round: () => Promise<number>;
  samples: number[];
}

async function inProcess(peer: Peer, config: RunConfig): Promise<Runner> {
  const k = await calibrate(peer, config);
  return {
    name: peer.name,
    note: peer.note,
    external: false,
    round: async () => k.n / (await timeBatch(peer.fn, k.isAsync, k.n)),
    samples: [],
  };
}

/** Run one case: warm-up, one unrecorded interleaved round, then `rounds` recorded rounds. */
export async function runCase(c: BenchCase, config: RunConfig): Promise<CaseResult> {
  const ours = c.ours ?? 'ours';
  const runners: Runner[] = [];
  try {
    for (const p of c.peers) runners.push(await inProcess(p, config));
    for (const e of c.external ?? []) {
      await e.prepare(config);
      runners.push({ name: e.name, note: e.note, external: true, round: e.round, samples: [] });
    }
    for (const k of runners) await k.round();
    for (let r = 0; r < config.rounds; r++) {
      const order = r % 2 === 0 ? runners : [...runners].reverse();
      for (const k of order) k.samples.push(await k.round());
    }
  } finally {
    for (const e of c.external ?? []) e.close?.();
  }
  const ourRaw = runners.find((p) => p.name === ours);
  if (ourRaw === undefined) throw new Error(`case ${c.name}: no peer named ${ours}`);
  const ourOps = median(ourRaw.samples);
  const peers: PeerResult[] = runners.map((p) => {
    const ops = median(p.samples);
    return {
      name: p.name,
      note: p.note,
      external: p.external,
      opsPerSec: ops,
      mad: relativeMad(p.samples),
      ratio: ourOps / ops,
      samples: p.samples.map((x) => Math.round(x)),
    };
  });
  const targets: TargetResult[] = (c.targets ?? []).map((t) => {
    const peer = peers.find((p) => p.name === t.peer);
    if (peer === undefined) throw new Error(`case ${c.name}: target names unknown peer ${t.peer}`);
    return {
      label: t.label,
      peer: t.peer,
      atLeast: t.atLeast,
      ratio: peer.ratio,
      pass: peer.ratio >= t.atLeast,
    };
  });
  if (sink === Symbol.for('never')) console.log(sink);
  return { name: c.name, description: c.description, ours, peers, targets };
}

function fmtOps(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

/** Markdown table of one case. */
export function caseTable(suite: string, c: CaseResult): string {
  const lines = [
    `**${suite} ${c.name}**${c.description ? `: ${c.description}` : ''}`,
    '',
    `| peer | setup | median ops/s | ± (MAD) | ${c.ours} ÷ peer |`,
    '|---|---|---:|---:|---:|',
  ];
  const sorted = [...c.peers].sort((a, b) => b.opsPerSec - a.opsPerSec);
  for (const p of sorted) {
    const name = p.name === c.ours ? `**${p.name}**` : p.name;
    const note = `${p.note ?? ''}${p.external ? ' (separate process)' : ''}`;
    lines.push(
      `| ${name} | ${note} | ${fmtOps(p.opsPerSec)} | ${(p.mad * 100).toFixed(1)}% | ${p.ratio.toFixed(2)}× |`,
    );
  }
  return lines.join('\n');
}

/** PASS/FAIL lines for a case's targets. */
export function targetLines(suite: string, c: CaseResult): string[] {
  return c.targets.map(
    (t) =>
      `${t.pass ? 'PASS' : 'FAIL'}  ${suite} ${c.name}: ${t.label} (${c.ours} ÷ ${t.peer} = ${t.ratio.toFixed(2)}×, need ≥ ${t.atLeast}×)`,
  );
}

/** One-line machine description. */
export function machineLine(m: MachineInfo): string {
  return `${m.cpu} × ${m.cores}, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node} (V8 ${m.v8}), load ${m.loadavg.join(' ')}, ${m.date}`;
}

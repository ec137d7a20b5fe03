/**
 * Run the benchmark suites: `npm run bench [-- <filter>…] [--rounds=N] [--round-ms=N] [--warmup-ms=N] [--no-write]`.
 *
 * A filter selects suites by name (`hs256`) or cases by `suite/case` substring
 * (`hs256/validate`). Results print as markdown and, unless `--no-write`, go to
 * `bench/results/<suite>.json`.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { peerVersions } from './fixtures.ts';
import {
  caseTable,
  DEFAULT_CONFIG,
  machineInfo,
  machineLine,
  type RunConfig,
  runCase,
  type Suite,
  type SuiteResult,
  targetLines,
} from './harness.ts';
import { pythonVersions } from './pyjwt.ts';
import es256 from './suites/es256.ts';
import glob from './suites/glob.ts';
import hs256 from './suites/hs256.ts';
import keyForms from './suites/key-forms.ts';
import parts from './suites/parts.ts';

/** Every suite, in run order. Add new suites here. */
const SUITES: readonly Suite[] = [hs256, es256, keyForms, parts, glob];

function parseArgs(argv: readonly string[]): { filters: string[]; config: RunConfig; write: boolean } {
  const config = { ...DEFAULT_CONFIG };
  const filters: string[] = [];
  let write = true;
  for (const a of argv) {
    const m = /^--(rounds|round-ms|warmup-ms)=(\d+)$/.exec(a);
    if (m) {
      const v = Number(m[2]);
      if (m[1] === 'rounds') config.rounds = v;
      else if (m[1] === 'round-ms') config.roundMs = v;
      else config.warmupMs = v;
    } else if (a === '--no-write') write = false;
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else filters.push(a.toLowerCase());
  }
  return { filters, config, write };
}

function selected(filters: readonly string[], suite: string, name?: string): boolean {
  if (filters.length === 0) return true;
  return filters.some((f) => {
    const [s, c] = f.split('/', 2);
    if (!suite.toLowerCase().includes(s!)) return false;
    return name === undefined || c === undefined || name.toLowerCase().includes(c);
  });
}

async function main(): Promise<void> {
  const { filters, config, write } = parseArgs(process.argv.slice(2));
  const suites = SUITES.filter((s) => selected(filters, s.name));
  const orchestrator = selected(filters, 'orchestrator');
  const keys = selected(filters, 'keys');
  if (suites.length === 0 && !orchestrator && !keys) throw new Error(`no suite matches ${filters.join(' ')}`);
  const versions: Record<string, string> = { ...peerVersions(), python: await pythonVersions() };
  console.log(`# ati-client benchmarks\n\n${machineLine(machineInfo())}`);
  console.log(
    `Peers: jose ${versions.jose}, fast-jwt ${versions['fast-jwt']}, jsonwebtoken ${versions.jsonwebtoken}, ${versions.python}`,
  );
  console.log(
    `Method: ${config.rounds} interleaved rounds × ~${config.roundMs} ms per peer, median ops/s; ratio = ours ÷ peer (> 1: ours faster)\n`,
  );
  const verdicts: string[] = [];
  for (const suite of suites) {
    const cases = (await suite.load()).filter((c) => selected(filters, suite.name, c.name));
    const result: SuiteResult & { versions: Record<string, string> } = {
      suite: suite.name,
      machine: machineInfo(),
      config,
      versions,
      cases: [],
    };
    for (const c of cases) {
      const r = await runCase(c, config);
      result.cases.push(r);
      console.log(`${caseTable(suite.name, r)}\n`);
      for (const line of targetLines(suite.name, r)) {
        console.log(line);
        verdicts.push(line);
      }
      if (r.targets.length > 0) console.log('');
    }
    if (write) {
      const dir = fileURLToPath(new URL('./results/', import.meta.url));
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${dir}${suite.name}.json`, `${JSON.stringify(result, null, 2)}\n`);
    }
  }
  if (verdicts.length > 0) console.log(`## Targets\n\n${verdicts.join('\n')}`);
  // Wall-time and memory cases (bench/orchestrator.ts runs on import).
  if (orchestrator) await import('./orchestrator.ts');
  // Virtual keys on the dev proxy: Ati-Key vs JWT requests/s, revocation propagation between two pods.
  if (keys) await (await import('./keys.ts')).runKeys(config, write);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});

/**
 * Orchestrator benchmarks (wall time and memory, not ops/s):
 *
 * - `buildToolInstructions` for 50 tools against a server that delays every
 *   answer by 25 ms, next to the Python SDK's algorithm (one request after
 *   another) run in the same process against the same server.
 * - `downloadSkills` for 50 skills of 20 files each: wall time and peak
 *   memory (RSS and heap above the baseline, sampled every 2 ms).
 *
 * Run: `npm run bench:orchestrator` (also part of `npm run bench`).
 *
 * @module
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AtiOrchestrator } from '../packages/ati-client/src/orchestrator.ts';
import { formatToolInstructions } from '../packages/ati-client/src/skills/instructions.ts';
import { machineInfo, machineLine, median } from './harness.ts';

const DELAY_MS = 25;
const TOOLS = 50;
const SKILLS = 50;
const FILES = 20;
const ROUNDS = 5;

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(`http://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`);
    }),
  );
}

function toolServer(): Server {
  return createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '').replace(/^\/tools\//, ''));
    const body = JSON.stringify({ name, provider: `p${name.length % 5}`, skills: [`skill-${name}`] });
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(body), DELAY_MS);
  });
}

/** The Python SDK's loop: one GET after another, each awaited. */
async function sequential(url: string, tools: string[]): Promise<string> {
  const results = [];
  for (const tool of tools) {
    const r = await fetch(`${url}/tools/${encodeURIComponent(tool)}`);
    results.push({ tool, data: (await r.json()) as unknown });
  }
  return formatToolInstructions(results);
}

function bundleServer(): Server {
  const file = 'x'.repeat(4096);
  const bin = Buffer.alloc(3072, 7).toString('base64');
  return createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const names = (JSON.parse(body) as { names: string[] }).names;
      const skills: Record<string, unknown> = {};
      for (const n of names) {
        const files: Record<string, unknown> = { 'SKILL.md': `# ${n}\n` };
        for (let i = 1; i < FILES; i++)
          files[`refs/${i}.${i % 4 === 0 ? 'bin' : 'md'}`] = i % 4 === 0 ? { base64: bin } : file;
        skills[n] = { files };
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ missing: [], skills }));
    });
  });
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

async function main(): Promise<void> {
  const machine = machineInfo();
  console.log(`## orchestrator\n\n${machineLine(machine)}\n`);

  const tools = Array.from({ length: TOOLS }, (_, i) => `prov${i % 7}:tool_${i}`);
  const ts = toolServer();
  const turl = await listen(ts);
  const orch = new AtiOrchestrator({ proxyUrl: turl, secret: '11'.repeat(32) });
  await orch.buildToolInstructions({ tools }); // warm up: JIT and the keep-alive pool, as in a long-running orchestrator
  const ours: number[] = [];
  const seq: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const a = await timed(() => orch.buildToolInstructions({ tools }));
    const b = await timed(() => sequential(turl, tools));
    if (a.value !== b.value) throw new Error('outputs differ');
    ours.push(a.ms);
    seq.push(b.ms);
  }
  ts.close();
  const oursMs = median(ours);
  const seqMs = median(seq);
  console.log(
    `### buildToolInstructions: ${TOOLS} tools, server delay ${DELAY_MS} ms, median of ${ROUNDS}\n`,
  );
  console.log('| peer | wall ms | round trips (ms / 25) |\n|---|---:|---:|');
  console.log(
    `| ati-client (default concurrency 64) | ${oursMs.toFixed(1)} | ${(oursMs / DELAY_MS).toFixed(2)} |`,
  );
  console.log(
    `| sequential loop (Python SDK's algorithm) | ${seqMs.toFixed(1)} | ${(seqMs / DELAY_MS).toFixed(2)} |`,
  );
  console.log(
    `\nspeed-up ${(seqMs / oursMs).toFixed(1)}x; target under 3 round trips: ${oursMs / DELAY_MS < 3 ? 'PASS' : 'FAIL'}\n`,
  );

  const bs = bundleServer();
  const burl = await listen(bs);
  const names = Array.from({ length: SKILLS }, (_, i) => `skill-${String(i).padStart(2, '0')}`);
  const borch = new AtiOrchestrator({ proxyUrl: burl, secret: '11'.repeat(32) });
  const times: number[] = [];
  const rssPeaks: number[] = [];
  const heapPeaks: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const dest = await mkdtemp(join(tmpdir(), 'ati-bench-'));
    globalThis.gc?.();
    const base = process.memoryUsage();
    let rss = base.rss;
    let heap = base.heapUsed;
    const timer = setInterval(() => {
      const m = process.memoryUsage();
      rss = Math.max(rss, m.rss);
      heap = Math.max(heap, m.heapUsed);
    }, 2);
    const t = await timed(() => borch.downloadSkills(names, dest));
    clearInterval(timer);
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
    if (Object.keys(t.value.written).length !== SKILLS) throw new Error('not all skills written');
    times.push(t.ms);
    rssPeaks.push((rss - base.rss) / 2 ** 20);
    heapPeaks.push((heap - base.heapUsed) / 2 ** 20);
    await rm(dest, { recursive: true, force: true });
  }
  bs.close();
  // The filesystem's floor: the same 1000 files written with bare fs calls, 16 at a time.
  const floor: number[] = [];
  const payload = Buffer.alloc(4096, 120);
  for (let r = 0; r < ROUNDS; r++) {
    const dest = await mkdtemp(join(tmpdir(), 'ati-bench-'));
    const files = names.flatMap((n) =>
      Array.from({ length: FILES }, (_, i) => join(dest, n, 'refs', `${i}.md`)),
    );
    const t = await timed(async () => {
      for (const n of names) await mkdir(join(dest, n, 'refs'), { recursive: true });
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < files.length) await writeFile(files[next++]!, payload, { flag: 'wx' });
        }),
      );
    });
    floor.push(t.ms);
    await rm(dest, { recursive: true, force: true });
  }
  console.log(
    `### downloadSkills: ${SKILLS} skills × ${FILES} files (~${((SKILLS * FILES * 4) / 1024).toFixed(1)} MiB), median of ${ROUNDS}\n`,
  );
  console.log('| metric | value |\n|---|---:|');
  console.log(`| wall time | ${median(times).toFixed(1)} ms |`);
  console.log(
    `| bare fs floor (same files, no HTTP, no checks, no atomic swap) | ${median(floor).toFixed(1)} ms |`,
  );
  console.log(`| peak RSS above baseline | ${median(rssPeaks).toFixed(1)} MiB |`);
  console.log(`| peak heap above baseline | ${median(heapPeaks).toFixed(1)} MiB |`);

  const results = {
    machine,
    toolInstructions: { tools: TOOLS, delayMs: DELAY_MS, oursMs: ours, sequentialMs: seq },
    downloadSkills: {
      skills: SKILLS,
      filesPerSkill: FILES,
      ms: times,
      fsFloorMs: floor,
      peakRssMiB: rssPeaks,
      peakHeapMiB: heapPeaks,
    },
  };
  await writeFile(
    fileURLToPath(new URL('./results/orchestrator.json', import.meta.url)),
    `${JSON.stringify(results, null, 2)}\n`,
  );
}

await main();

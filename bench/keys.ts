/**
 * Virtual-key benchmarks on the dev proxy (contract §9):
 *
 * - `Ati-Key` requests per second on a warm lookup cache against JWT (HS256)
 *   requests, on the same dev proxy, over HTTP on 127.0.0.1 (`GET /tools`,
 *   keep-alive, one request at a time), interleaved rounds as every suite;
 * - revocation propagation between two dev proxies on one real Postgres
 *   server: `DELETE /admin/keys/{hash}` sent to pod A → pod B refuses the key
 *   (B polled back to back), and → B's listener has the NOTIFY; median and
 *   p99 over 100 revocations, each on a key B has cached; once with pod B
 *   in this process, once in its own (`bench/key-pod.ts`).
 *
 * Run: `npm run bench -- keys` (part of `npm run bench`). The propagation part
 * needs Postgres binaries (/usr/lib/postgresql/<v>/bin) and is skipped without.
 *
 * @module
 */

import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { issueToken } from 'ati-client';
import { type DevKeyEvent, sampleFixtures, startDevProxy } from '../packages/ati-dev-proxy/src/index.ts';
import { postgresBinDir, startTestPostgres } from '../packages/ati-dev-proxy/test/postgres-server.ts';
import { caseTable, machineInfo, machineLine, median, type RunConfig, runCase } from './harness.ts';

const SECRET = '4f1c6a0e9b2d7c3a58e1f0b6d4a29c7e13b8f5d0a6c2e9f7b1d3a5c8e0f2b4d6';
const ADMIN = 'bench-admin-token';
const REVOCATIONS = 100;
const WARMUP_REVOCATIONS = 5;

async function issueKey(url: string, alias: string): Promise<{ raw_key: string; hash: string }> {
  const res = await fetch(`${url}/admin/keys/issue`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ user_id: 'bench', alias, tools: ['finnhub:quote'] }),
  });
  if (res.status !== 201) throw new Error(`issue: ${res.status} ${await res.text()}`);
  return (await res.json()) as { raw_key: string; hash: string };
}

/** One keep-alive connection per dev proxy, so a request costs the proxy's work plus one loopback round trip. */
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function status(url: string, authorization: string): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, path: '/tools', headers: { authorization }, agent },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}

async function throughput(config: RunConfig, databaseUrl: string | undefined) {
  const proxy = await startDevProxy({ ...sampleFixtures, secret: SECRET, adminToken: ADMIN, databaseUrl });
  try {
    const key = await issueKey(proxy.url, 'throughput');
    const jwt = await issueToken({
      secret: SECRET,
      sub: 'bench',
      scope: 'tool:finnhub:quote',
      ttlSeconds: 86_400,
    });
    const atiKey = `Ati-Key ${key.raw_key}`;
    const bearer = `Bearer ${jwt}`;
    if ((await status(proxy.url, atiKey)) !== 200 || (await status(proxy.url, bearer)) !== 200) {
      throw new Error('the warm-up requests were refused');
    }
    const note = `SHA-256 of the raw key + warm 30 s lookup cache (${databaseUrl === undefined ? 'PGlite' : 'Postgres'} behind)`;
    const overHttp = await runCase(
      {
        name: 'Ati-Key vs JWT',
        description:
          'GET /tools on one dev proxy over HTTP (node:http keep-alive agent, one request at a time), the same scope',
        ours: 'Ati-Key',
        peers: [
          { name: 'Ati-Key', note, fn: () => status(proxy.url, atiKey) },
          { name: 'JWT', note: 'HS256 validateToken (exp, aud)', fn: () => status(proxy.url, bearer) },
        ],
      },
      config,
    );
    // The same dev proxy's handler without the socket: the auth path's cost, less the loopback round trip.
    const inProcess = (authorization: string) => async () => {
      const res = await proxy.handler.fetch(new Request('http://dev/tools', { headers: { authorization } }));
      await res.arrayBuffer();
    };
    const handler = await runCase(
      {
        name: 'Ati-Key vs JWT in process',
        description: "GET /tools through the same dev proxy's fetch handler (no socket), the same scope",
        ours: 'Ati-Key',
        peers: [
          { name: 'Ati-Key', note, fn: inProcess(atiKey) },
          { name: 'JWT', note: 'HS256 validateToken (exp, aud)', fn: inProcess(bearer) },
        ],
      },
      config,
    );
    return [overHttp, handler];
  } finally {
    await proxy.close();
  }
}

/** Pod B: its URL, a hook for its NOTIFYs (hash, `performance.now()` of this process) and a stop. */
interface PodB {
  url: string;
  onRevoked: (fn: (hash: string, at: number) => void) => void;
  close: () => Promise<void>;
}

async function podInProcess(databaseUrl: string): Promise<PodB> {
  let hook: ((hash: string, at: number) => void) | undefined;
  const b = await startDevProxy({
    ...sampleFixtures,
    secret: SECRET,
    adminToken: ADMIN,
    databaseUrl,
    onKeyEvent: (e: DevKeyEvent) => {
      if (e.type === 'revoked') hook?.(e.hash, performance.now());
    },
  });
  return { url: b.url, onRevoked: (fn) => (hook = fn), close: () => b.close() };
}

/** Pod B in a child process (bench/key-pod.ts): its event loop shares nothing with pod A or the poller. */
async function podInChild(databaseUrl: string): Promise<PodB> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=ati-source',
      '--import',
      'tsx',
      fileURLToPath(new URL('./key-pod.ts', import.meta.url)),
      databaseUrl,
      ADMIN,
      SECRET,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let hook: ((hash: string, at: number) => void) | undefined;
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`pod B exited with ${code}`)));
    lines.on('line', (line) => {
      const [kind, a, b] = line.split(' ');
      if (kind === 'url') resolve(a!);
      // Epoch ms from the child, as this process's performance.now().
      else if (kind === 'revoked') hook?.(a!, Number(b) - performance.timeOrigin);
    });
  });
  return {
    url,
    onRevoked: (fn) => (hook = fn),
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}

async function propagation(databaseUrl: string, startPodB: (url: string) => Promise<PodB>) {
  let notified: ((hash: string, at: number) => void) | undefined;
  const a = await startDevProxy({ ...sampleFixtures, secret: SECRET, adminToken: ADMIN, databaseUrl });
  const b = await startPodB(databaseUrl);
  b.onRevoked((hash, at) => notified?.(hash, at));
  const refused: number[] = [];
  const notify: number[] = [];
  try {
    for (let i = 0; i < WARMUP_REVOCATIONS + REVOCATIONS; i++) {
      const key = await issueKey(a.url, `p-${i}`);
      const header = `Ati-Key ${key.raw_key}`;
      // B reads the key once and caches it: without the NOTIFY it would accept it for 30 s.
      if ((await status(b.url, header)) !== 200 || (await status(b.url, header)) !== 200) {
        throw new Error('pod B refused a fresh key');
      }
      let notifiedAt = 0;
      const landed = new Promise<void>((resolve) => {
        notified = (hash, at) => {
          if (hash === key.hash) {
            notifiedAt = at;
            resolve();
          }
        };
      });
      const t0 = performance.now();
      const revoked = fetch(`${a.url}/admin/keys/${key.hash}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${ADMIN}` },
      }).then((r) => r.arrayBuffer());
      while ((await status(b.url, header)) !== 401) {
        // Poll B back to back until it refuses.
      }
      const refusedAt = performance.now();
      await revoked;
      await landed;
      if (i >= WARMUP_REVOCATIONS) {
        refused.push(refusedAt - t0);
        notify.push(notifiedAt - t0);
      }
    }
  } finally {
    await a.close();
    await b.close();
  }
  const stats = (xs: number[]) => ({ median: median(xs), p99: quantile(xs, 0.99), max: Math.max(...xs) });
  return {
    revocations: REVOCATIONS,
    refused: stats(refused),
    notify: stats(notify),
    samples: { refused, notify },
  };
}

const ms = (x: number): string => `${x.toFixed(2)} ms`;

/** Run both parts, print markdown, write `bench/results/keys.json` unless `write` is false. */
export async function runKeys(config: RunConfig, write: boolean): Promise<void> {
  const bin = postgresBinDir();
  const server = bin === undefined ? undefined : await startTestPostgres();
  try {
    console.log(`## keys\n\n${machineLine(machineInfo())}\n`);
    const ratios = await throughput(config, server?.url);
    for (const r of ratios) console.log(`${caseTable('keys', r)}\n`);
    const prop: Record<string, Awaited<ReturnType<typeof propagation>>> = {};
    if (server === undefined) {
      console.log('Revocation propagation skipped: no Postgres binaries under /usr/lib/postgresql/*/bin.\n');
    } else {
      for (const [where, start] of [
        ['pod B in this process', podInProcess],
        ['pod B in its own process', podInChild],
      ] as const) {
        const p = await propagation(server.url, start);
        prop[where] = p;
        console.log(
          `**keys revocation propagation, ${where}** (two dev proxies, one Postgres server, ${p.revocations} revocations)\n\n` +
            '| from DELETE sent to pod A until | median | p99 | max |\n| --- | ---: | ---: | ---: |\n' +
            `| pod B refuses the key | ${ms(p.refused.median)} | ${ms(p.refused.p99)} | ${ms(p.refused.max)} |\n` +
            `| pod B's listener has the NOTIFY | ${ms(p.notify.median)} | ${ms(p.notify.p99)} | ${ms(p.notify.max)} |\n`,
        );
        console.log(
          `Target: propagation p99 < 50 ms: ${p.refused.p99 < 50 ? 'PASS' : 'FAIL'} (${ms(p.refused.p99)})\n`,
        );
      }
    }
    if (write) {
      const dir = fileURLToPath(new URL('./results/', import.meta.url));
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        `${dir}keys.json`,
        `${JSON.stringify({ suite: 'keys', machine: machineInfo(), config, cases: ratios, propagation: prop }, null, 2)}\n`,
      );
    }
  } finally {
    agent.destroy();
    await server?.stop();
  }
}

/**
 * The `.` entry in a real browser (Debian's Chromium, driven by
 * playwright-core): bundled for the browser it picks the Web Crypto backend,
 * issues and validates HS256 and ES256 tokens, and interoperates with Node;
 * it also seals the local-mode keyring and runs a token rotator. The dev
 * proxy's fetch handler (`ati-dev-proxy/fetch`) runs in the page too.
 * Runs on the built package (`npm run build` first). CI installs chromium.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createDevProxy, sampleFixtures } from 'ati-dev-proxy/fetch';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { generateKeyPair, generateSecret, issueToken, validateToken } from '../../src/index.ts';
import { VECTOR } from '../helpers/keyring.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let server: Server;
let url: string;
let browser: Browser;

before(async () => {
  const bundle = await build({
    entryPoints: [`${ROOT}dist/index.js`],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    logLevel: 'silent',
  });
  const js = bundle.outputFiles[0]!.text;
  const devProxyBundle = await build({
    entryPoints: [`${ROOT}../ati-dev-proxy/dist/fetch.js`],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions: ['worker', 'browser'],
    logLevel: 'silent',
  });
  const devProxyJs = devProxyBundle.outputFiles[0]!.text;
  server = createServer((req, res) => {
    if (req.url === '/ati.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    else if (req.url === '/dev-proxy.js')
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(devProxyJs);
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>ati</title>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((r) => server.close(r));
});

it('issues and validates HS256 and ES256 in Chromium, interoperating with Node', async () => {
  const secret = generateSecret();
  const { privateKey, publicKey } = await generateKeyPair();
  const fromNode = await issueToken({ secret, sub: 'node', scope: 'tool:x' });
  const page = await browser.newPage();
  await page.goto(`${url}/`);
  const out = await page.evaluate(
    async ({ src, secret, privateKey, publicKey, fromNode }) => {
      const ati = await import(src);
      const hs = await ati.issueToken({ secret, sub: 'browser', scope: 'tool:web_search' });
      const es = await ati.issueToken({ privateKey, sub: 'browser-es', scope: '' });
      const nodeClaims = await ati.validateToken(fromNode, { secret });
      let forged = 'accepted';
      try {
        await ati.validateToken(`${hs.slice(0, -2)}AA`, { secret });
      } catch (err) {
        forged = (err as { code: string }).code;
      }
      return {
        hs,
        es,
        own: (await ati.validateToken(es, { publicKey: ati.toJwks(publicKey, { format: 'standard' }) })).sub,
        nodeSub: nodeClaims.sub,
        forged,
        hasProcess: typeof (globalThis as { process?: unknown }).process !== 'undefined',
      };
    },
    { src: `${url}/ati.js`, secret, privateKey, publicKey, fromNode },
  );
  assert.equal(out.hasProcess, false, 'a real browser, not Node');
  assert.equal(out.own, 'browser-es');
  assert.equal(out.nodeSub, 'node');
  assert.equal(out.forged, 'ERR_JWT_SIGNATURE_INVALID');
  assert.equal((await validateToken(out.hs, { secret })).sub, 'browser');
  assert.equal((await validateToken(out.es, { publicKey })).sub, 'browser-es');
});

it('seals the §8 keyring vector and rotates tokens in Chromium (Web Crypto and browser timers only)', async () => {
  const secret = generateSecret();
  const page = await browser.newPage();
  // tsx compiles this file with keepNames: the callbacks below reference its __name helper.
  await page.addInitScript('globalThis.__name = (f) => f');
  await page.goto(`${url}/`);
  const out = await page.evaluate(
    async ({ src, secret }) => {
      const ati = await import(src);
      const key = Uint8Array.from({ length: 32 }, (_, i) => i);
      const nonce = Uint8Array.from({ length: 12 }, (_, i) => i);
      const { keyringEnc } = await ati.sealKeyring({ finnhub_api_key: 'abc123' }, { key, nonce });
      const hex = Array.from(keyringEnc as Uint8Array, (b) => b.toString(16).padStart(2, '0')).join('');
      const tampered = new Uint8Array(keyringEnc);
      tampered[20]! ^= 1;
      let tamperCode = 'opened';
      try {
        await ati.openKeyring(tampered, key);
      } catch (err) {
        tamperCode = (err as { code: string }).code;
      }
      const tokens: string[] = [];
      const rotator = new ati.TokenRotator({
        issue: () => ati.issueToken({ secret, sub: 'browser', scope: 'tool:x', ttlSeconds: 2 }),
        sink: async (token: string) => {
          tokens.push(token);
        },
        refreshAt: 0.05,
        jitter: 0,
      });
      await rotator.start();
      while (tokens.length < 3) await new Promise((r) => setTimeout(r, 20));
      await rotator.stop();
      return { hex, keyText: ati.encodeKeyringKey(key), tamperCode, tokens };
    },
    { src: `${url}/ati.js`, secret },
  );
  assert.equal(out.hex, VECTOR.keyringEncHex);
  assert.equal(out.keyText, VECTOR.keyText);
  assert.equal(out.tamperCode, 'ERR_KEYRING_DECRYPT_FAILED');
  assert.ok(out.tokens.length >= 3);
  assert.equal(new Set(out.tokens).size, out.tokens.length);
  for (const token of out.tokens) assert.equal((await validateToken(token, { secret })).sub, 'browser');
});

it('runs the dev proxy fetch handler (ati-dev-proxy/fetch) in Chromium: scopes filter, a bad token is 401', async () => {
  const secret = generateSecret();
  const token = await issueToken({ secret, sub: 'page', scope: 'tool:web_search' });
  const page = await browser.newPage();
  await page.goto(`${url}/`);
  const out = await page.evaluate(
    async ({ src, secret, token }) => {
      const dp = await import(src);
      const proxy = dp.createDevProxy({ ...dp.sampleFixtures, secret });
      // No named helper here: tsx would wrap it in a __name() call the page does not have.
      const [ok, bad] = await Promise.all(
        [`Bearer ${token}`, 'Bearer nope'].map((authorization) =>
          proxy.fetch(new Request('http://dev.test/tools', { headers: { authorization } })),
        ),
      );
      const tools = ((await ok.json()) as { name: string }[]).map((t) => t.name);
      return { status: ok.status, tools, bad: bad.status, badBody: await bad.text() };
    },
    { src: `${url}/dev-proxy.js`, secret, token },
  );
  await page.close();
  // The same dev proxy in Node answers the same way.
  const inNode = createDevProxy({ ...sampleFixtures, secret });
  const res = await inNode.fetch(
    new Request('http://dev.test/tools', { headers: { authorization: `Bearer ${token}` } }),
  );
  const expected = ((await res.json()) as { name: string }[]).map((t) => t.name);
  assert.ok(expected.includes('web_search') && !expected.includes('finnhub:quote'), expected.join());
  assert.deepEqual(out, { status: 200, tools: expected, bad: 401, badBody: '' });
});

/**
 * Child process for backend-node-fallback.test.ts. Before the node backend
 * loads, one thing is changed, by `mode`:
 * - `absent`: `crypto.hash` removed (Node 20 before 20.12);
 * - `broken`: `crypto.hash` answers wrongly;
 * - `no-builtin-loader`: `process.getBuiltinModule` removed (Node before
 *   20.16 / 22.3, Deno before 2.1), so node:crypto comes from `import()`;
 * - `loader-returns-nothing` / `loader-throws`: `process.getBuiltinModule`
 *   gives no node:crypto, so everything runs on Web Crypto;
 * - `present`: nothing.
 * `createHmac` is wrapped to count its calls. Prints what the backend
 * computes and which paths it took.
 */
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';

const mode = process.argv[2];
const target = crypto as { hash?: unknown; createHmac: typeof crypto.createHmac };
const proc = process as { getBuiltinModule?: unknown };
if (mode === 'absent') delete target.hash;
else if (mode === 'broken') target.hash = () => 'not a digest';
else if (mode === 'no-builtin-loader') delete proc.getBuiltinModule;
else if (mode === 'loader-returns-nothing') proc.getBuiltinModule = () => undefined;
else if (mode === 'loader-throws')
  proc.getBuiltinModule = () => {
    throw new Error('no crypto in this build');
  };
const realCreateHmac = crypto.createHmac;
let createHmacCalls = 0;
target.createHmac = ((...args: Parameters<typeof crypto.createHmac>) => {
  createHmacCalls++;
  return realCreateHmac(...args);
}) as typeof crypto.createHmac;
// The backend may read the ESM namespace (`import('node:crypto')`): keep it in step.
syncBuiltinESMExports();

const { nodeCryptoBackend: backend } = await import('../../../src/jws/backend-node.ts');
const importing = backend.importHmacKey(new Uint8Array(40).fill(9));
const key = await importing;
const data = process.argv[3] ?? '';
const pending = backend.hmacSign(key, data);
const mac = await pending;

const pair = await backend.generateEcKeyPair();
const signing = await backend.importEcPrivateKey(pair.pkcs8);
const verifying = await backend.importEcPublicKey(pair.spki);
const signature = await backend.ecdsaSign(signing, data);
const es256 =
  (await backend.ecdsaVerify(verifying, data, signature)) &&
  !(await backend.ecdsaVerify(verifying, `${data}x`, signature));

process.stdout.write(
  JSON.stringify({
    hashPresent: typeof (crypto as { hash?: unknown }).hash === 'function',
    importAsync: importing instanceof Promise,
    synchronous: typeof pending === 'string',
    mac,
    verifies: await backend.hmacVerify(key, data, mac),
    tamperedVerifies: await backend.hmacVerify(key, `${data}x`, mac),
    es256,
    createHmacCalls,
  }),
);

/**
 * Child process for backend-node-fallback.test.ts. Before the node backend
 * loads, `crypto.hash` is either removed (`absent`, as on Node 20 before
 * 20.12) or replaced by one that answers wrongly (`broken`), or
 * `process.getBuiltinModule` is removed (`no-builtin-loader`, as on Node 20
 * before 20.16), and `createHmac` is wrapped to count its calls. Prints what the backend
 * computes, so the parent can check that the `createHmac` path was taken.
 */
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';

const mode = process.argv[2];
const target = crypto as { hash?: unknown; createHmac: typeof crypto.createHmac };
if (mode === 'absent') delete target.hash;
else if (mode === 'broken') target.hash = () => 'not a digest';
else if (mode === 'no-builtin-loader') delete (process as { getBuiltinModule?: unknown }).getBuiltinModule;
const realCreateHmac = crypto.createHmac;
let createHmacCalls = 0;
target.createHmac = ((...args: Parameters<typeof crypto.createHmac>) => {
  createHmacCalls++;
  return realCreateHmac(...args);
}) as typeof crypto.createHmac;
syncBuiltinESMExports();

const { nodeCryptoBackend } = await import('../../../src/jws/backend-node.ts');
const key = await nodeCryptoBackend.importHmacKey(new Uint8Array(40).fill(9));
const data = process.argv[3] ?? '';
const pending = nodeCryptoBackend.hmacSign(key, data);
const mac = await pending;
process.stdout.write(
  JSON.stringify({
    hashPresent: typeof (crypto as { hash?: unknown }).hash === 'function',
    synchronous: typeof pending === 'string',
    mac,
    verifies: await nodeCryptoBackend.hmacVerify(key, data, mac),
    tamperedVerifies: await nodeCryptoBackend.hmacVerify(key, `${data}x`, mac),
    createHmacCalls,
  }),
);

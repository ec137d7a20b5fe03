/**
 * Child process for backend-node-fallback.test.ts. Before the node backend
 * loads, `crypto.hash` is either removed (`absent`, as on Node 20 before
 * 20.12) or replaced by one that answers wrongly (`broken`), and
 * `createHmac` is wrapped to count its calls. Prints what the backend
 * computes, so the parent can check that the `createHmac` path was taken.
 */
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';

const mode = process.argv[2];
const target = crypto as { hash?: unknown; createHmac: typeof crypto.createHmac };
if (mode === 'absent') delete target.hash;
else if (mode === 'broken') target.hash = () => 'not a digest';
const realCreateHmac = crypto.createHmac;
let createHmacCalls = 0;
target.createHmac = ((...args: Parameters<typeof crypto.createHmac>) => {
  createHmacCalls++;
  return realCreateHmac(...args);
}) as typeof crypto.createHmac;
syncBuiltinESMExports();

const { nodeCryptoBackend } = await import('../../../src/jws/backend-node.ts');
const key = nodeCryptoBackend.importHmacKey(new Uint8Array(40).fill(9));
const data = process.argv[3] ?? '';
const mac = nodeCryptoBackend.hmacSign(key, data);
process.stdout.write(
  JSON.stringify({
    hashPresent: typeof (crypto as { hash?: unknown }).hash === 'function',
    mac,
    verifies: nodeCryptoBackend.hmacVerify(key, data, mac as string),
    tamperedVerifies: nodeCryptoBackend.hmacVerify(key, `${data}x`, mac as string),
    createHmacCalls,
  }),
);

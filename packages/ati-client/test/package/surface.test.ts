/**
 * The public surface is a list we chose: every export of every entry point
 * is named here, so adding or removing one is a deliberate change. The `.`
 * entry loads no `node:` module outside Node.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import * as main from '../../src/index.ts';
import * as nodeEntry from '../../src/node.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const MAIN_EXPORTS = [
  'AtiError',
  'AtiOrchestrator',
  'AtiProxyClient',
  'ERROR_CODES',
  'KeyringError',
  'ProvisionError',
  'ProxyError',
  'SKILL_BUNDLE_BATCH_LIMIT',
  'SKILL_LISTING_BUDGET',
  'ScopeError',
  'ScopeSet',
  'SessionTokenError',
  'SkillError',
  'TokenClaims',
  'TokenError',
  'TokenExpiredError',
  'TokenRotationError',
  'TokenRotator',
  'buildScopeString',
  'buildSkillInstructions',
  'checkScope',
  'decodeKeyringKey',
  'encodeKeyringKey',
  'formatSkillListing',
  'formatToolInstructions',
  'formatWindow',
  'generateKeyPair',
  'generateSecret',
  'inspectToken',
  'issueToken',
  'legacyAlias',
  'matchesWildcard',
  'openKeyring',
  'parseRateMap',
  'parseRateSpec',
  'parseScopes',
  'sealKeyring',
  'signSandboxRequest',
  'toJwks',
  'validateToken',
  'verifySandboxSignature',
  'webCryptoBackend',
];

const NODE_EXPORTS = [
  'DEFAULT_SESSION_KEY_PATH',
  'DEFAULT_SESSION_TOKEN_PATH',
  'MAX_SESSION_TOKEN_FILE_BYTES',
  'cleanupStaleTemps',
  'fileSink',
  'isSafeBundlePath',
  'isSafeSkillName',
  'nodeCryptoBackend',
  'readLocalKeyring',
  'resolveSessionToken',
  'rustTrim',
  'writeCredentials',
  'writeLocalKeyring',
  'writeSkillBundle',
];

describe('public surface', () => {
  it('ati-client exports exactly the chosen names', () => {
    assert.deepEqual(Object.keys(main).sort(), [...MAIN_EXPORTS].sort());
  });
  it('ati-client/node exports exactly the chosen names', () => {
    assert.deepEqual(Object.keys(nodeEntry).sort(), [...NODE_EXPORTS].sort());
  });
  it('every error code is unique and named like ERR_*', () => {
    assert.equal(new Set(main.ERROR_CODES).size, main.ERROR_CODES.length);
    for (const code of main.ERROR_CODES) assert.match(code, /^ERR_[A-Z0-9_]+$/);
  });
});

describe('the . entry outside Node', () => {
  // workerd and worker win over node: a worker bundle that also sets node gets Web Crypto.
  for (const conditions of [['browser'], ['worker'], ['deno'], ['workerd', 'worker', 'node']]) {
    it(`bundles for platform "neutral" with conditions ${conditions.join(',')} without any node: module`, async () => {
      const result = await build({
        entryPoints: [`${ROOT}dist/index.js`], // the package as shipped: run after npm run build
        bundle: true,
        write: false,
        platform: 'neutral',
        format: 'esm',
        mainFields: ['module', 'main'],
        conditions,
        metafile: true,
        logLevel: 'silent',
      });
      const inputs = Object.keys(result.metafile.inputs);
      assert.ok(
        inputs.some((p) => p.endsWith('backend-web.js')),
        'web backend chosen',
      );
      assert.ok(!inputs.some((p) => p.endsWith('backend-node.js')), 'node backend not bundled');
      const imports = Object.values(result.metafile.inputs).flatMap((i) => i.imports.map((x) => x.path));
      assert.deepEqual(
        imports.filter((p) => p.startsWith('node:')),
        [],
      );
      // Skill downloads load the writer on demand; outside Node that is a stub that throws.
      const dynamic = Object.values(result.metafile.inputs).flatMap((i) =>
        i.imports.filter((x) => x.kind === 'dynamic-import').map((x) => x.path),
      );
      for (const d of dynamic) assert.match(d, /bundle-writer-unsupported/);
    });
  }
});

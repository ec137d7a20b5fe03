/**
 * Compile-time checks of the public types, run by `npm run typecheck` (tsc
 * reads this file; the assertions below are types, erased at run time), plus
 * a check that the emitted `.d.ts` compile for a Node-only consumer: no DOM
 * lib, `skipLibCheck: false` (needs `npm run build`).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { DevProxyOptions } from 'ati-dev-proxy';
import type {
  AtiError,
  AtiOrchestrator,
  Jwk,
  ProvisionResult,
  ProvisionResultWithSkills,
  PublicKeyInput,
} from '../../src/index.ts';

/** `true` when `A` and `B` are the same type (the `expectTypeOf(...).toEqualTypeOf()` test). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when `T` is `true`. */
function expectType<T extends true>(..._: T extends true ? [] : [never]): void {}

type Provision = AtiOrchestrator['provisionSandbox'];
declare const orch: AtiOrchestrator;

// provisionSandbox({ fetchSkillContent: true }): `skills` is present.
type WithSkills = Awaited<ReturnType<typeof withSkills>>;
const withSkills = () => orch.provisionSandbox({ agentId: 'a', fetchSkillContent: true });
expectType<Equal<WithSkills, ProvisionResultWithSkills>>();
expectType<Equal<WithSkills['skills'], Record<string, string>>>();
expectType<Equal<WithSkills['skillsError'], AtiError | undefined>>();
// Without it (or with a plain boolean), `skills` stays optional.
const without = () => orch.provisionSandbox({ agentId: 'a' });
const maybe = (flag: boolean) => orch.provisionSandbox({ agentId: 'a', fetchSkillContent: flag });
expectType<Equal<Awaited<ReturnType<typeof without>>, ProvisionResult>>();
expectType<Equal<Awaited<ReturnType<typeof maybe>>, ProvisionResult>>();
expectType<Equal<Awaited<ReturnType<typeof without>>['skills'], Record<string, string> | undefined>>();
expectType<Equal<ReturnType<Provision>, Promise<ProvisionResult>>>(); // the last overload

// Our own JWK type: what Web Crypto's exportKey('jwk') gives is accepted, no DOM `JsonWebKey` needed.
const exported = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', ext: true, key_ops: ['verify'] };
const jwk: Jwk = exported;
const asInput: PublicKeyInput = jwk;
const asDevProxy: DevProxyOptions['publicKey'] = jwk;
// A DOM user's JsonWebKey (this project's tsconfig has the DOM lib) is accepted too.
const fromDom = (domKey: JsonWebKey): PublicKeyInput => domKey;
void asInput;
void asDevProxy;
void fromDom;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

describe('types', () => {
  it('the compile-time checks above are in place (tsc checks them)', () => {
    expectType<true>();
    assert.ok(true);
  });

  it('the emitted .d.ts compile without the DOM lib, skipLibCheck off (needs npm run build)', async () => {
    assert.ok(existsSync(`${ROOT}dist/index.d.ts`), 'run npm run build first');
    const tsc = `${ROOT}../../node_modules/typescript/bin/tsc`;
    const result = await run(process.execPath, [tsc, '-p', 'test/types/tsconfig.no-dom.json'], {
      cwd: ROOT,
    }).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code?: number; stdout?: string }) => ({ code: e.code ?? 1, out: e.stdout ?? '' }),
    );
    assert.equal(result.code, 0, result.out);
  });
});

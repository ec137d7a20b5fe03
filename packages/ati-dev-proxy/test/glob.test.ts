/**
 * Exempt-path globs: the linear-time matcher agrees with globset's regex
 * translation on every small input, and hostile paths (thousands of slashes
 * against `/*\/*\/*\/x`) get the right answer. How long they take is
 * measured in bench/ (suite `glob`), not asserted here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compileGlob } from '../src/glob.ts';
import { startDevProxy } from '../src/index.ts';

/**
 * The reference: globset's translation written as a JavaScript RegExp (what
 * the dev proxy used before; it backtracks, so only small inputs here).
 */
function referenceRegExp(glob: string): RegExp {
  let re = '';
  let i = 0;
  if (glob.startsWith('**/')) {
    re += '(?:/?|[^]*/)';
    i = 3;
  }
  while (i < glob.length) {
    if (glob.startsWith('/**/', i)) {
      re += '(?:/|/[^]*/)';
      i += 4;
    } else if (glob.startsWith('/**', i) && i + 3 === glob.length) {
      re += '/[^]*';
      i += 3;
    } else if (glob[i] === '*') {
      while (glob[i] === '*') i++;
      re += '[^]*';
    } else if (glob[i] === '?') {
      re += '[^]';
      i++;
    } else {
      re += glob[i]!.replace(/[.+^$()|/]/g, '\\$&');
      i++;
    }
  }
  return new RegExp(`^${re}$`);
}

const globArb = fc
  .array(fc.constantFrom('a', 'b', '/', '*', '?', '**', '/**/', '/**', '**/', '.'), {
    minLength: 1,
    maxLength: 7,
  })
  .map((parts) => parts.join(''));
const pathArb = fc
  .array(fc.constantFrom('a', 'b', '/', '.', 'ab', '//'), { maxLength: 10 })
  .map((parts) => parts.join(''));

describe('compileGlob', () => {
  it('agrees with the regex translation on random globs and paths', () => {
    fc.assert(
      fc.property(globArb, pathArb, (glob, path) => {
        assert.equal(compileGlob(glob).test(path), referenceRegExp(glob).test(path), `${glob} ${path}`);
      }),
      { numRuns: 5000 },
    );
  });

  it('a known table, including whole-component **', () => {
    const table: Array<[string, string, boolean]> = [
      ['/health', '/health', true],
      ['/health', '/healthz', false],
      ['/root/*', '/root/a/b', true],
      ['/root/**', '/root', false],
      ['/root/**', '/root/', true],
      ['**/x', 'x', true],
      ['**/x', '/x', true],
      ['**/x', 'a/b/x', true],
      ['/a/**/b', '/a/b', true],
      ['/a/**/b', '/a/x/y/b', true],
      ['/a/**/b', '/a/xb', false],
      ['/skills/?*', '/skills', false],
      ['/skills/?*', '/skills/x', true],
      ['/é?', '/é😀', true],
    ];
    for (const [glob, path, expected] of table)
      assert.equal(compileGlob(glob).test(path), expected, `${glob} ${path}`);
  });

  // Not a timed assertion: a guard so the backtracking matcher (17 s at 4,000 slashes,
  // 143 s at 8,000) fails instead of hanging the suite; the linear one takes milliseconds.
  it('hostile paths: 4,000 and 8,000 slashes against /*/*/*/x', { timeout: 60_000 }, () => {
    const glob = compileGlob('/*/*/*/x');
    for (const n of [4000, 8000]) {
      const slashes = '/'.repeat(n);
      assert.equal(glob.test(slashes), false, `${n} slashes`);
      assert.equal(glob.test(`${slashes}x`), true, `${n} slashes then x`);
      assert.equal(glob.test(`${slashes}y`), false, `${n} slashes then y`);
      assert.equal(compileGlob('/**/**/**/x').test(slashes), false);
      assert.equal(compileGlob('**/*?*?*?/x').test(`${'a/'.repeat(n)}x`), true);
    }
  });

  it('the dev proxy answers a hostile path and then /health over HTTP', async () => {
    const proxy = await startDevProxy({
      signatures: { mode: 'enforce', secret: 'sig', exemptPaths: ['/*/*/*/x', '/health'] },
    });
    try {
      const hostile = await fetch(`${proxy.url}${'/'.repeat(8000)}`);
      assert.equal(hostile.status, 403); // not exempt: the signature layer refuses it
      const exempt = await fetch(`${proxy.url}${'/'.repeat(8000)}x`);
      assert.notEqual(exempt.status, 403); // exempt: past the signature layer
      assert.equal((await fetch(`${proxy.url}/health`)).status, 200);
    } finally {
      await proxy.close();
    }
  });
});

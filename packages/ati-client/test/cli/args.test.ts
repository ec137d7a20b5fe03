/**
 * The shared argument rules (src/cli/args.ts, `parse` in context.ts) as
 * properties over random command lines: parsing throws nothing but usage
 * errors, never echoes a value, agrees with strict `parseArgs` whenever it
 * accepts, and moving global flags keeps every other argument in order.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { GLOBAL_FLAGS, hoistGlobalFlags } from '../../src/cli/args.ts';
import { COMMON_OPTIONS, parse } from '../../src/cli/context.ts';
import { UsageError } from '../../src/errors.ts';

const OPTIONS = {
  sub: { type: 'string' },
  rate: { type: 'string', multiple: true },
  algorithm: { type: 'string', short: 'a' },
  force: { type: 'boolean' },
} as const;

const secret = fc.stringMatching(/^[A-Za-z0-9._~+/-]{0,12}$/).map((s) => `SECRET${s}`);
const arg = fc.oneof(
  fc.constantFrom(
    '--sub',
    '--rate',
    '--algorithm',
    '-a',
    '--force',
    '--json',
    '--help',
    '-h',
    '-',
    '--',
    '--bogus',
  ),
  fc.constantFrom('-ha', '-fa', '--json=1', '--force=', '-x', '---', '--=x'),
  secret,
  secret.map((s) => `--sub=${s}`),
  secret.map((s) => `--bogus=${s}`),
  secret.map((s) => `-a${s}`),
  fc.string({ maxLength: 6 }),
);
const argv = fc.array(arg, { maxLength: 8 });

it('parse: only usage errors, no value echoed, and whatever it accepts strict parseArgs reads the same', () => {
  fc.assert(
    fc.property(argv, fc.boolean(), (args, positionals) => {
      let result: ReturnType<typeof parse<typeof OPTIONS>>;
      try {
        result = parse(args, OPTIONS, positionals);
      } catch (err) {
        assert.ok(err instanceof UsageError, String(err));
        assert.ok(!err.message.includes('SECRET'), err.message);
        assert.match(err.message, /^(Unknown option|Unexpected argument|--[a-z])/);
        return;
      }
      if (
        result.values.help === true &&
        Object.keys(result.values).length === 1 &&
        result.positionals.length === 0
      ) {
        // Help won (or was all there was): a standalone --help/-h was on the line.
        assert.ok(args.some((a) => a === '--help' || a === '-h'));
        return;
      }
      const strict = parseArgs({
        args,
        options: { ...COMMON_OPTIONS, ...OPTIONS },
        allowPositionals: positionals,
        strict: true,
      });
      assert.deepEqual(result, strict);
    }),
    { numRuns: 3000 },
  );
});

it('parse: a missing value names its flag, whatever comes after', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('--sub', '--rate', '--algorithm', '-a'),
      fc.constantFrom([], ['--json'], ['--force']),
      (flag, tail) => {
        const name = flag === '-a' ? '--algorithm' : flag;
        assert.throws(
          () => parse([flag, ...tail], OPTIONS),
          (err: Error) => err.message.startsWith(`${name} needs a value`),
        );
      },
    ),
  );
});

it('hoistGlobalFlags: a permutation that keeps every other argument in order and moves globals only out of the command path', () => {
  const word = fc.constantFrom('token', 'issue', 'skills', 'listing', '-', 'x');
  const any = fc.oneof(word, fc.constantFrom('--json', '--help', '-h', '--sub', '--', 'v', '--force'));
  fc.assert(
    fc.property(fc.array(any, { maxLength: 10 }), (input) => {
      const out = hoistGlobalFlags(input);
      assert.deepEqual([...out].sort(), [...input].sort());
      const others = (a: string[]) => a.filter((x) => !GLOBAL_FLAGS.has(x));
      assert.deepEqual(others(out), others(input));
      // From the first non-global flag on, nothing moved.
      const cut = input.findIndex((a) => a.startsWith('-') && a !== '-' && !GLOBAL_FLAGS.has(a));
      if (cut >= 0) assert.deepEqual(out.slice(out.length - (input.length - cut)), input.slice(cut));
      // The path comes first, then the hoisted globals.
      const path = others(input.slice(0, cut < 0 ? input.length : cut));
      assert.deepEqual(out.slice(0, path.length), path);
    }),
    { numRuns: 2000 },
  );
});

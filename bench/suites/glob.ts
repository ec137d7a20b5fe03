/**
 * The dev proxy's exempt-path globs (`signatures.exemptPaths`), matched
 * before auth on every request. Ours walks the path once over a set of glob
 * steps, as Rust's globset (regex crate automata) does; the peer is the
 * backtracking `RegExp` translation the dev proxy used before, which took
 * 17 s for 4,000 slashes against `/*\/*\/*\/x`. The scaling case times ours
 * on 1,000 to 8,000 slashes in one table: linear time shows as
 * `ours ÷ peer` ≈ n(peer) ÷ n(ours).
 *
 * @module
 */
import { compileGlob } from '../../packages/ati-dev-proxy/src/glob.ts';
import { type BenchCase, defineSuite } from '../harness.ts';

const HOSTILE_GLOB = '/*/*/*/x';

/** The old translation (`*` → `[^]*`), kept here as the peer. */
function backtrackingRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^$()|/]/g, '\\$&')
    .replace(/\*+/g, '[^]*')
    .replace(/\?/g, '[^]');
  return new RegExp(`^${body}$`);
}

export default defineSuite('glob', async (): Promise<BenchCase[]> => {
  const ours = compileGlob(HOSTILE_GLOB);
  const old = backtrackingRegExp(HOSTILE_GLOB);
  const defaults = [
    '/healthz',
    '/health',
    '/root/*',
    '/root/**',
    '/npm/*',
    '/otel/*',
    '/.well-known/jwks.json',
  ];
  const oursDefaults = defaults.map(compileGlob);
  const oldDefaults = defaults.map(backtrackingRegExp);
  const path = '/skills/market-research/bundle';
  if (ours.test('/'.repeat(250)) || old.test('/'.repeat(250)) || !ours.test('/a/b/c/x'))
    throw new Error('the matchers disagree');
  return [
    {
      name: 'ordinary path',
      description: `${JSON.stringify(path)} against the proxy's default exempt globs (no match)`,
      peers: [
        {
          name: 'ours',
          note: 'compileGlob, step-set walk',
          fn: () => oursDefaults.some((g) => g.test(path)),
        },
        {
          name: 'RegExp',
          note: 'backtracking translation (before)',
          fn: () => oldDefaults.some((g) => g.test(path)),
        },
      ],
    },
    {
      name: 'hostile 250 slashes',
      description: `250 slashes against ${HOSTILE_GLOB} (no match)`,
      peers: [
        { name: 'ours', note: 'compileGlob', fn: () => ours.test('/'.repeat(250)) },
        { name: 'RegExp', note: 'backtracking translation (before)', fn: () => old.test('/'.repeat(250)) },
      ],
      targets: [{ peer: 'RegExp', atLeast: 10, label: 'hostile 250 slashes ≥ 10× the backtracking RegExp' }],
    },
    {
      name: 'hostile scaling',
      description: `n slashes against ${HOSTILE_GLOB} (no match); linear time: ratio ≈ n(peer) ÷ 1,000`,
      peers: [1000, 2000, 4000, 8000].map((n) => {
        const hostile = '/'.repeat(n);
        return {
          name: n === 1000 ? 'ours' : `ours ${n}`,
          note: `${n} slashes`,
          fn: () => ours.test(hostile),
        };
      }),
    },
  ];
});

/**
 * Bundle ati-client's JavaScript with esbuild (`npm run build` runs it after
 * tsc has written the declarations). Why: a cold `import('ati-client')` from
 * tsc's output loads ~40 files; from this layout, four (`index.js`,
 * `core.js`, `jws/backend-web.js` and the `#crypto` backend).
 *
 * Layout of `dist/` (declarations keep tsc's tree beside it):
 * - `core.js`: every module the `.` entry reaches, bundled once. It exports
 *   each module's names under module-qualified aliases (`m3$AtiError`), so no
 *   two modules' names clash; it is not a package entry.
 * - `index.js`, `node.js`, `internal.js`, `internal-cli.js`, `cli/main.js`: each entry bundled,
 *   importing anything that lives in the core from `core.js`, so a class
 *   (`AtiError`, `ScopeSet`) or a cache has one identity across entries.
 * - Owned files: `jws/backend-node.js`, `jws/backend-web.js` (the `#crypto`
 *   targets), `skills/bundle-writer.js`, `skills/bundle-writer-unsupported.js`
 *   (the `#skill-writer` targets). Whoever else imports them imports that
 *   file, so `webCryptoBackend` from `.` is the `#crypto` default. The two
 *   backends inline their few pure helpers and import nothing from the core
 *   (the core imports them: no cycle).
 *
 * `#crypto`, `#skill-writer` and `node:*` stay imports, resolved by the
 * package's `imports` conditions at run time (or by the user's bundler).
 * Declarations no entry reaches (the CLI's) are deleted.
 *
 * Usage: `node --import tsx scripts/bundle.ts <package dir>` (only ati-client).
 *
 * @module
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { type BuildOptions, build, type Plugin } from 'esbuild';

/** Files that are their own output; `src` path → `dist` path, both relative. */
const OWNED: Readonly<Record<string, string>> = {
  'jws/backend-node.ts': 'jws/backend-node.js',
  'jws/backend-web.ts': 'jws/backend-web.js',
  'skills/bundle-writer.ts': 'skills/bundle-writer.js',
  'skills/bundle-writer-unsupported.ts': 'skills/bundle-writer-unsupported.js',
};
/** Every bundled entry; all but {@link SELF_CONTAINED} import from the core. */
const ENTRIES = [
  'index.ts',
  'node.ts',
  'internal.ts',
  'internal-cli.ts',
  'cli/main.ts',
  ...Object.keys(OWNED),
];
/** Entries that must not import from the core (it imports them). */
const SELF_CONTAINED = new Set(['jws/backend-node.ts', 'jws/backend-web.ts']);
const EXTERNAL = ['#crypto', '#skill-writer', 'node:*'];

const COMMON: BuildOptions = {
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  external: EXTERNAL,
  legalComments: 'none',
  logLevel: 'warning',
};

interface Layout {
  readonly src: string;
  /** Core module (absolute path) → its index in `core.js`'s aliases and its export names. */
  readonly core: ReadonlyMap<string, { readonly id: number; readonly names: readonly string[] }>;
}

/** A specifier to `distFile` (relative to dist) from the output file `fromDistFile`. */
function specifierFrom(fromDistFile: string, distFile: string): string {
  const rel = relative(dirname(fromDistFile), distFile).split(sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/**
 * Resolve relative imports: owned files and (unless `useCore` is false) core
 * modules become imports of their output files, seen from `outFile`.
 */
function linker(layout: Layout, outFile: string, useCore: boolean): Plugin {
  return {
    name: 'ati-linker',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        if (args.namespace === 'ati-core') return { path: args.path, external: true }; // core.js itself
        const path = resolve(args.resolveDir, args.path);
        const owned = OWNED[relative(layout.src, path).split(sep).join('/')];
        if (owned !== undefined) return { path: specifierFrom(outFile, owned), external: true };
        // The namespace path is relative to src: it names the module in the output's comments.
        if (useCore && layout.core.has(path))
          return { path: relative(layout.src, path), namespace: 'ati-core' };
        return undefined;
      });
      b.onLoad({ filter: /.*/, namespace: 'ati-core' }, (args) => {
        const mod = layout.core.get(join(layout.src, args.path))!;
        const names = mod.names.map((n) => `m${mod.id}$${n} as ${n}`).join(', ');
        return { contents: `export { ${names} } from '${specifierFrom(outFile, 'core.js')}';`, loader: 'js' };
      });
    },
  };
}

/** The modules `.` reaches (excluding owned files), with their runtime export names. */
async function coreModules(src: string): Promise<Layout['core']> {
  const probe: Layout = { src, core: new Map() };
  const graph = await build({
    ...COMMON,
    entryPoints: [join(src, 'index.ts')],
    write: false,
    metafile: true,
    plugins: [linker(probe, 'index.js', false)],
  });
  const files = Object.keys(graph.metafile.inputs)
    .map((p) => resolve(p))
    .filter((p) => p !== join(src, 'index.ts'))
    .sort();
  const shapes = await build({
    format: 'esm',
    logLevel: 'warning',
    entryPoints: files,
    outbase: src,
    outdir: '/ati-shapes',
    write: false,
    metafile: true,
  });
  const names = new Map<string, readonly string[]>();
  for (const out of Object.values(shapes.metafile.outputs)) {
    if (out.entryPoint !== undefined) names.set(resolve(out.entryPoint), out.exports);
  }
  return new Map(files.map((f, id) => [f, { id, names: names.get(f) ?? [] }]));
}

/** Declaration entries: the `types` of the package's exports. */
const TYPE_ENTRIES = ['index.d.ts', 'node.d.ts', 'internal.d.ts', 'internal-cli.d.ts'];

/**
 * Delete the declarations no entry reaches (the CLI's, and any module only
 * the bundles use): the package ships types for what it exports, and a
 * consumer with `skipLibCheck: false` checks every one of them.
 */
async function pruneDeclarations(dist: string): Promise<void> {
  const keep = new Set<string>();
  const visit = async (file: string): Promise<void> => {
    if (keep.has(file)) return;
    keep.add(file);
    const text = await readFile(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)) {
      await visit(resolve(dirname(file), m[1]!.replace(/\.(?:ts|js)$/, '.d.ts')));
    }
  };
  for (const entry of TYPE_ENTRIES) await visit(join(dist, entry));
  const all = (await readdir(dist, { recursive: true })).filter((f) => f.endsWith('.d.ts'));
  await Promise.all(
    all
      .map((f) => join(dist, f))
      .filter((f) => !keep.has(f))
      .map((f) => rm(f)),
  );
}

/** Bundle the package in `pkgDir` (its `src/` into its `dist/`). */
async function bundlePackage(pkgDir: string): Promise<void> {
  const src = resolve(pkgDir, 'src');
  const dist = resolve(pkgDir, 'dist');
  const layout: Layout = { src, core: await coreModules(src) };
  const core = [...layout.core]
    .filter(([, m]) => m.names.length > 0)
    .map(
      ([path, m]) => `export { ${m.names.map((n) => `${n} as m${m.id}$${n}`).join(', ')} } from '${path}';`,
    )
    .join('\n');
  const builds = [
    build({
      ...COMMON,
      stdin: { contents: core, resolveDir: src, sourcefile: 'core.js', loader: 'js' },
      outfile: join(dist, 'core.js'),
      plugins: [linker(layout, 'core.js', false)],
    }),
    ...ENTRIES.map((entry) => {
      const out = entry.replace(/\.ts$/, '.js');
      return build({
        ...COMMON,
        entryPoints: [join(src, entry)],
        outfile: join(dist, out),
        plugins: [linker(layout, out, !SELF_CONTAINED.has(entry))],
      });
    }),
  ];
  await Promise.all([...builds, pruneDeclarations(dist)]);
  // esbuild keeps the entry's shebang; npx needs it.
  const bin = await readFile(join(dist, 'cli/main.js'), 'utf8');
  if (!bin.startsWith('#!/usr/bin/env node\n')) throw new Error('dist/cli/main.js lost its shebang');
}

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: bundle.ts <package dir>');
await bundlePackage(dir);

/**
 * Load an ATI skills directory (`<dir>/<name>/SKILL.md` + optional
 * `skill.toml` + any other files) into {@link DevSkill}s, with the metadata
 * rules of the proxy's `load_skill_from_dir` (upstream `core/skill.rs`):
 *
 * 1. SKILL.md with parseable frontmatter → name/description/license/
 *    compatibility/when_to_use/allowed-tools from it (author and version from
 *    `metadata:`), and the bindings (tools, providers, categories, keywords,
 *    hint, depends_on, suggests) from `skill.toml` when that parses;
 * 2. else `skill.toml` → its `[skill]` table (a bad file is an error);
 * 3. else SKILL.md alone → the directory name and the first non-heading line.
 *
 * Read-only. Symbolic links are followed only when their target stays inside
 * the skill's own directory (skill folders themselves: inside `dir`); others
 * are skipped. Sizes are capped. Node only.
 *
 * @module
 */

import type { Dirent } from 'node:fs';
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { SkillError } from 'ati-client/internal';
import type { TomlTable, TomlValue } from 'smol-toml';
import { splitFrontmatter } from './frontmatter.ts';
import { UTF8 } from './serde-json.ts';
import type { DevSkill } from './types.ts';

/** Limits of {@link loadSkillsDir}. */
export interface LoadSkillsDirOptions {
  /** Largest single file, in bytes. @default 16777216 (16 MiB) */
  maxFileBytes?: number | undefined;
  /** Largest total of one skill's files, in bytes. @default 67108864 (64 MiB) */
  maxSkillBytes?: number | undefined;
  /** Most files in one skill. @default 10000 */
  maxFiles?: number | undefined;
}

function fail(message: string, cause?: unknown): SkillError {
  return new SkillError('ERR_SKILL_BUNDLE_INVALID', message, cause === undefined ? undefined : { cause });
}

function inside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

/** The `[skill]` table of skill.toml, typed like upstream's `SkillMeta` (unknown keys ignored). */
interface TomlSkill {
  name: string;
  version: string;
  description: string;
  author?: string;
  tools: string[];
  providers: string[];
  categories: string[];
  keywords: string[];
  hint?: string;
  dependsOn: string[];
  suggests: string[];
  license?: string;
  compatibility?: string;
  whenToUse?: string;
  allowedTools?: string;
}

class TomlShapeError extends Error {}

/** A TOML table (not an array, not a date: smol-toml's `TomlDate` is an object too). */
function isTomlTable(v: TomlValue | undefined): v is TomlTable {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

type SmolToml = typeof import('smol-toml');
let smolToml: Promise<SmolToml> | undefined;

/** smol-toml (a dependency of this package), loaded only when a skill has a skill.toml. */
function loadSmolToml(): Promise<SmolToml> {
  smolToml ??= import('smol-toml').catch((err: unknown) => {
    smolToml = undefined;
    throw fail(
      'loadSkillsDir cannot load smol-toml, a dependency of ati-dev-proxy: reinstall ati-dev-proxy',
      err,
    );
  });
  return smolToml;
}

/**
 * Any valid TOML 1.0 document, as the `toml` crate the proxy uses reads it
 * (inline tables, floats, dates, arrays of tables, dotted keys). Syntax errors
 * give `line L, column C: reason`, without smol-toml's excerpt of the file.
 */
function readToml(toml: SmolToml, text: string): TomlTable {
  try {
    return toml.parse(text);
  } catch (err) {
    if (!(err instanceof toml.TomlError)) throw err;
    const reason = err.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
    throw new TomlShapeError(`line ${err.line}, column ${err.column}: ${reason}`);
  }
}

function tomlString(t: TomlTable, key: string): string | undefined {
  const v: TomlValue | undefined = t[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new TomlShapeError(`invalid type for \`${key}\`: expected a string`);
  return v;
}

function tomlStrings(t: TomlTable, key: string): string[] {
  const v: TomlValue | undefined = t[key];
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw new TomlShapeError(`invalid type for \`${key}\`: expected an array of strings`);
  }
  return v as string[];
}

function skillFromToml(root: TomlTable): TomlSkill {
  const table = root.skill;
  if (table === undefined) throw new TomlShapeError('missing field `skill`');
  if (!isTomlTable(table)) throw new TomlShapeError('invalid type for `skill`: expected a table');
  const name = tomlString(table, 'name');
  if (name === undefined) throw new TomlShapeError('missing field `name`');
  const format = tomlString(table, 'format');
  if (format !== undefined && !['anthropic', 'legacy-toml', 'inferred'].includes(format)) {
    throw new TomlShapeError(`unknown variant \`${format}\` for \`format\``);
  }
  const hasFm = table.has_frontmatter;
  if (hasFm !== undefined && typeof hasFm !== 'boolean') {
    throw new TomlShapeError('invalid type for `has_frontmatter`: expected a boolean');
  }
  const extra = table.extra_metadata;
  if (extra !== undefined) {
    if (!isTomlTable(extra) || Object.values(extra).some((v) => typeof v !== 'string')) {
      throw new TomlShapeError('invalid type for `extra_metadata`: expected a table of strings');
    }
  }
  for (const k of ['source_url', 'content_hash', 'pinned_sha']) tomlString(table, k);
  const out: TomlSkill = {
    name,
    version: tomlString(table, 'version') ?? '0.1.0',
    description: tomlString(table, 'description') ?? '',
    tools: tomlStrings(table, 'tools'),
    providers: tomlStrings(table, 'providers'),
    categories: tomlStrings(table, 'categories'),
    keywords: tomlStrings(table, 'keywords'),
    dependsOn: tomlStrings(table, 'depends_on'),
    suggests: tomlStrings(table, 'suggests'),
  };
  const opt: [keyof TomlSkill, string][] = [
    ['author', 'author'],
    ['hint', 'hint'],
    ['license', 'license'],
    ['compatibility', 'compatibility'],
    ['whenToUse', 'when_to_use'],
    ['allowedTools', 'allowed_tools'],
  ];
  for (const [prop, key] of opt) {
    const v = tomlString(table, key);
    if (v !== undefined) (out as unknown as Record<string, string>)[prop] = v;
  }
  return out;
}

async function collectFiles(
  skillDir: string,
  limits: Required<LoadSkillsDirOptions>,
): Promise<Map<string, Uint8Array>> {
  const realSkill = await realpath(skillDir);
  const files = new Map<string, Uint8Array>();
  let total = 0;
  const visited = new Set<string>([realSkill]);
  // Breadth-first walk. `rel` is where a directory was found (a followed link keeps
  // its own name); `real` is where it is. Paths use '/', entries sorted by name.
  const queue: { real: string; rel: string }[] = [{ real: realSkill, rel: '' }];
  while (queue.length > 0) {
    const { real: dir, rel: prefix } = queue.shift()!;
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      throw fail(`Failed to read skill directory ${dir}`, err);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      let full = join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        let target: string;
        try {
          target = await realpath(full);
        } catch {
          continue; // dangling link
        }
        if (!inside(target, realSkill)) continue; // never follow a link out of the skill
        full = target;
      }
      const st = await stat(full).catch(() => undefined);
      if (st === undefined) continue;
      const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (st.isDirectory()) {
        // A directory reached twice (a link to an ancestor or a sibling) is walked once.
        if (!visited.has(full)) {
          visited.add(full);
          queue.push({ real: full, rel });
        }
        continue;
      }
      if (!st.isFile() || rel === 'SKILL.md') continue;
      if (st.size > limits.maxFileBytes) {
        throw fail(`File ${rel} in ${skillDir} is larger than ${limits.maxFileBytes} bytes`);
      }
      if (files.size >= limits.maxFiles)
        throw fail(`Skill ${skillDir} has more than ${limits.maxFiles} files`);
      const data = new Uint8Array(await readFile(full));
      total += data.byteLength;
      if (total > limits.maxSkillBytes)
        throw fail(`Skill ${skillDir} is larger than ${limits.maxSkillBytes} bytes`);
      files.set(rel, data);
    }
  }
  return files;
}

/** Read `<dir>/<name>` as UTF-8 text; `undefined` when absent or when a link leads out of `dir`. */
async function readText(dir: string, name: string, maxBytes: number): Promise<string | undefined> {
  const path = join(dir, name);
  let real: string;
  try {
    real = await realpath(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fail(`Failed to read skill file ${path}`, err);
  }
  if (!inside(real, await realpath(dir))) return undefined;
  let data: Buffer;
  try {
    const st = await stat(real);
    // A FIFO or device would block or never end: only regular files are read.
    if (!st.isFile()) throw fail(`Skill file ${path} is not a regular file`);
    if (st.size > maxBytes) throw fail(`Skill file ${path} is larger than ${maxBytes} bytes`);
    data = await readFile(real);
  } catch (err) {
    if (err instanceof SkillError) throw err;
    throw fail(`Failed to read skill file ${path}`, err);
  }
  try {
    return UTF8.decode(data);
  } catch (err) {
    throw fail(`Skill file ${path} is not valid UTF-8`, err);
  }
}

async function loadSkill(
  dir: string,
  dirName: string,
  limits: Required<LoadSkillsDirOptions>,
): Promise<DevSkill> {
  const skillMd = await readText(dir, 'SKILL.md', limits.maxFileBytes);
  const tomlText = await readText(dir, 'skill.toml', limits.maxFileBytes);
  const files = Object.fromEntries(await collectFiles(dir, limits));
  const tomlPath = join(dir, 'skill.toml');
  const toml = tomlText === undefined ? undefined : await loadSmolToml();
  const parseStrict = (): TomlSkill => {
    try {
      return skillFromToml(readToml(toml!, tomlText!));
    } catch (err) {
      throw fail(`Failed to parse skill.toml ${tomlPath}: ${(err as Error).message}`, err);
    }
  };
  const [fm, body] = skillMd === undefined ? [undefined, undefined] : splitFrontmatter(skillMd);
  if (fm !== undefined) {
    const skill: DevSkill = {
      name: fm.name ?? dirName,
      description: fm.description ?? '',
      content: skillMd!,
      format: 'anthropic',
      files,
    };
    if (fm.license !== undefined) skill.license = fm.license;
    if (fm.compatibility !== undefined) skill.compatibility = fm.compatibility;
    if (fm.whenToUse !== undefined) skill.whenToUse = fm.whenToUse;
    if (fm.allowedTools !== undefined) skill.allowedTools = fm.allowedTools;
    if (fm.metadata.author !== undefined) skill.author = fm.metadata.author;
    if (fm.metadata.version !== undefined) skill.version = fm.metadata.version;
    if (tomlText !== undefined) {
      let ext: TomlSkill | undefined;
      try {
        ext = skillFromToml(readToml(toml!, tomlText));
      } catch {
        ext = undefined; // upstream ignores a bad skill.toml next to frontmatter
      }
      if (ext !== undefined) {
        // The frontmatter names the skill; skill.toml adds only the fields it alone declares.
        const { tools, providers, categories, keywords, hint, dependsOn, suggests } = ext;
        const extension = {
          tools,
          providers,
          categories,
          keywords,
          hint,
          dependsOn,
          suggests,
        } satisfies Partial<DevSkill>;
        Object.assign(skill, extension);
      }
    }
    return skill;
  }
  if (tomlText !== undefined) {
    const meta = parseStrict();
    return {
      name: meta.name === '' ? dirName : meta.name,
      version: meta.version,
      description: meta.description,
      content: skillMd ?? '',
      tools: meta.tools,
      providers: meta.providers,
      categories: meta.categories,
      keywords: meta.keywords,
      hint: meta.hint,
      dependsOn: meta.dependsOn,
      suggests: meta.suggests,
      author: meta.author,
      license: meta.license,
      compatibility: meta.compatibility,
      whenToUse: meta.whenToUse,
      allowedTools: meta.allowedTools,
      format: 'legacy-toml',
      files,
    };
  }
  if (skillMd !== undefined) {
    // Rust `lines()` (splits on \n, drops a trailing \r), first non-empty line not starting with '#'.
    const line = body!
      .split('\n')
      .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
      .find((l) => l !== '' && !l.startsWith('#'));
    return {
      name: dirName,
      description: (line ?? '').trim(),
      content: skillMd,
      format: 'inferred',
      files,
    };
  }
  throw fail(`Directory '${dir}' has neither skill.toml nor SKILL.md`);
}

/**
 * Load every skill under `dir` (one sub-directory per skill), sorted by
 * directory name. Never writes, never follows a symlink out of the tree.
 *
 * @param dir - The skills directory.
 * @throws {SkillError} `ERR_SKILL_BUNDLE_INVALID` when `dir` is not a
 *   directory, a skill has neither SKILL.md nor skill.toml, a legacy
 *   skill.toml does not parse, a file is unreadable or not UTF-8 where text is
 *   required, or a size limit is exceeded. The message names the path.
 * @example
 * ```ts
 * const skills = await loadSkillsDir('fixtures/skills');
 * const proxy = await startDevProxy({ ...sampleFixtures, skills });
 * ```
 */
export async function loadSkillsDir(dir: string, options: LoadSkillsDirOptions = {}): Promise<DevSkill[]> {
  const limits: Required<LoadSkillsDirOptions> = {
    maxFileBytes: options.maxFileBytes ?? 16 * 1024 * 1024,
    maxSkillBytes: options.maxSkillBytes ?? 64 * 1024 * 1024,
    maxFiles: options.maxFiles ?? 10_000,
  };
  if (typeof dir !== 'string' || dir === '') throw fail('Skills directory must be a non-empty path');
  let root: string;
  try {
    root = await realpath(dir);
    if (!(await stat(root)).isDirectory()) throw new Error('not a directory');
  } catch (err) {
    throw fail(`Skills directory not found: ${dir}`, err);
  }
  let entries: Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (err) {
    throw fail(`Failed to read skills directory ${dir}`, err);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: DevSkill[] = [];
  for (const entry of entries) {
    let full = join(root, entry.name);
    if (entry.isSymbolicLink()) {
      const target = await realpath(full).catch(() => undefined);
      if (target === undefined || !inside(target, root) || target === root) continue;
      full = target;
    }
    const st = await lstat(full).catch(() => undefined);
    if (st === undefined || !st.isDirectory()) continue;
    out.push(await loadSkill(full, entry.name, limits));
  }
  return out;
}

/**
 * SkillATI helpers with the proxy's semantics (upstream `core/skillati.rs`):
 * skill-relative path normalization (sibling `../<skill>/…` paths included),
 * the resource filter, and the activation rewrite of a SKILL.md body
 * (`${ATI_SKILL_DIR}`, `.claude/skills/<x>/`, bare `<x>/references/…`).
 *
 * @module
 */
import { rustTrim } from 'ati-client/internal';

/** The proxy's `InvalidPath` failure (HTTP 400 `Invalid skill-relative path '<p>'`). */
export class InvalidSkillPath extends Error {
  readonly path: string;
  constructor(path: string) {
    super(`Invalid skill-relative path '${path}'`);
    this.path = path;
  }
}

/** Anthropic skill-name rule: 1–64 bytes of `[a-z0-9-]`, alnum at both ends, no `--`. */
export function isAnthropicValidName(name: string): boolean {
  return name.length >= 1 && name.length <= 64 && /^[a-z0-9](?:-?[a-z0-9])*$/.test(name);
}

/** `skillati://<name>` */
export function skillDirectory(name: string): string {
  return `skillati://${name}`;
}

function trimLeadingCurrentDir(path: string): string {
  let p = rustTrim(path);
  while (p.startsWith('./')) p = p.slice(2);
  return p;
}

function validateRawPath(path: string): void {
  if (rustTrim(path) === '' || path.includes('\0') || path.includes('\\') || path.startsWith('/')) {
    throw new InvalidSkillPath(path);
  }
}

/** `normalize_within_skill`: resolve `.`/`..` segments, never above the skill root. */
export function normalizeWithinSkill(path: string): string {
  validateRawPath(path);
  const stack: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (stack.pop() === undefined) throw new InvalidSkillPath(path);
    } else stack.push(seg);
  }
  if (stack.length === 0) throw new InvalidSkillPath(path);
  return stack.join('/');
}

/** `normalize_prefix` for `/resources?prefix=`. */
export function normalizePrefix(prefix: string): string {
  const p = trimLeadingCurrentDir(prefix);
  if (p === '') throw new InvalidSkillPath(p);
  return normalizeWithinSkill(p);
}

/** `resolve_requested_path`: `[skill, path]`, following one `../<sibling>/` hop. */
export function resolveRequestedPath(skill: string, requested: string): [string, string] {
  const path = trimLeadingCurrentDir(requested);
  validateRawPath(path);
  if (path === '..') throw new InvalidSkillPath(path);
  if (path.startsWith('../')) {
    const segments = path
      .slice(3)
      .split('/')
      .filter((s) => s !== '' && s !== '.');
    if (segments.length < 2) throw new InvalidSkillPath(path);
    const sibling = segments[0]!;
    if (!isAnthropicValidName(sibling)) throw new InvalidSkillPath(path);
    return [sibling, normalizeWithinSkill(segments.slice(1).join('/'))];
  }
  return [skill, normalizeWithinSkill(path)];
}

/** Resources listed by `/resources`: not SKILL.md, not skill.toml, not hidden, not a directory. */
export function isVisibleResource(path: string): boolean {
  return (
    path !== '' &&
    !path.endsWith('/') &&
    path !== 'SKILL.md' &&
    path !== 'skill.toml' &&
    !path.startsWith('.')
  );
}

// Literal variable names in SKILL.md bodies, not template placeholders.
const ATI_SKILL_DIR_VAR = '$' + '{ATI_SKILL_DIR}';
const CLAUDE_SKILL_DIR_VAR = '$' + '{CLAUDE_SKILL_DIR}';

function isNameByte(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9-]/.test(c);
}

/**
 * The activation rewrite of a SKILL.md body (frontmatter already stripped).
 * Works on ASCII structure only, so JS string indices are safe here.
 */
export function substituteSkillRefs(
  body: string,
  skillName: string,
  catalogNames: ReadonlySet<string> | undefined,
): string {
  const uri = skillDirectory(skillName);
  let out = body.replaceAll(ATI_SKILL_DIR_VAR, uri).replaceAll(CLAUDE_SKILL_DIR_VAR, uri);

  const needle = '.claude/skills/';
  let rewritten = '';
  let cursor = 0;
  for (;;) {
    const hit = out.indexOf(needle, cursor);
    if (hit < 0) break;
    rewritten += out.slice(cursor, hit);
    const after = hit + needle.length;
    let len = 0;
    while (isNameByte(out[after + len])) len++;
    if (len === 0) {
      rewritten += needle;
      cursor = after;
      continue;
    }
    const candidate = out.slice(after, after + len);
    const next = out[after + len];
    if ((next === '/' || next === undefined) && isAnthropicValidName(candidate)) {
      rewritten += `skillati://${candidate}`;
      cursor = after + len;
    } else {
      rewritten += needle;
      cursor = after;
    }
  }
  out = rewritten + out.slice(cursor);

  if (catalogNames !== undefined) out = rewriteBareCrossSkillRefs(out, skillName, catalogNames);
  return out;
}

const SUBDIRS = new Set(['references', 'scripts', 'assets']);

function rewriteBareCrossSkillRefs(body: string, current: string, catalog: ReadonlySet<string>): string {
  let out = '';
  let cursor = 0;
  let i = 0;
  while (i < body.length) {
    const prev = body[i - 1];
    const boundary = i === 0 || !(prev !== undefined && /[A-Za-z0-9_/-]/.test(prev));
    if (!boundary) {
      i++;
      continue;
    }
    let nameEnd = i;
    while (isNameByte(body[nameEnd])) nameEnd++;
    if (nameEnd === i || nameEnd >= body.length || body[nameEnd] !== '/') {
      i++;
      continue;
    }
    const candidate = body.slice(i, nameEnd);
    if (!isAnthropicValidName(candidate) || candidate === current || !catalog.has(candidate)) {
      i++;
      continue;
    }
    const subStart = nameEnd + 1;
    let subEnd = subStart;
    while (subEnd < body.length && /[A-Za-z0-9_]/.test(body[subEnd]!)) subEnd++;
    if (subEnd === subStart || subEnd >= body.length || body[subEnd] !== '/') {
      i++;
      continue;
    }
    if (!SUBDIRS.has(body.slice(subStart, subEnd))) {
      i++;
      continue;
    }
    out += `${body.slice(cursor, i)}skillati://${body.slice(i, subEnd + 1)}`;
    cursor = subEnd + 1;
    i = cursor;
  }
  return out + body.slice(cursor);
}

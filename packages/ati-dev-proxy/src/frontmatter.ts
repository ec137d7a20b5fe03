/**
 * SKILL.md YAML frontmatter, split the way the proxy's `parse_frontmatter`
 * splits it (upstream `core/skill.rs`): after trimming leading whitespace the
 * text must start with `---`; the rest of that line is skipped; the YAML runs
 * to the next `\n---`; the body starts after the rest of that closing line.
 * When the YAML does not parse, the whole text is "no frontmatter" and is
 * served unchanged.
 *
 * The YAML reader is a small subset: `key: value` pairs with plain, single-
 * or double-quoted scalars, `|`/`>` block scalars, and one nested mapping
 * (`metadata:`) of string pairs. Anything it does not understand counts as a
 * parse failure, as serde_yaml's would. Fields read: `name`, `description`,
 * `license`, `compatibility`, `when_to_use` / `when-to-use`, `allowed-tools`,
 * `metadata`.
 *
 * @module
 */
import { rustTrimStart } from 'ati-client/internal';

/** The frontmatter fields ATI reads. */
export interface Frontmatter {
  name?: string;
  description?: string;
  license?: string;
  compatibility?: string;
  whenToUse?: string;
  allowedTools?: string;
  metadata: Record<string, string>;
}

function unquote(raw: string): string | undefined {
  const v = raw.trim();
  if (v.startsWith('"')) {
    if (!v.endsWith('"') || v.length < 2) return undefined;
    try {
      const parsed: unknown = JSON.parse(v);
      return typeof parsed === 'string' ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  if (v.startsWith("'")) {
    if (!v.endsWith("'") || v.length < 2) return undefined;
    const inner = v.slice(1, -1);
    if (/(^|[^'])'($|[^'])/.test(inner)) return undefined;
    return inner.replaceAll("''", "'");
  }
  // Plain scalar: no flow/collection indicators we do not model, and strip a trailing comment.
  if (/^[[{&*!|>%@`]/.test(v)) return undefined;
  const hash = v.search(/\s#/);
  const plain = (hash >= 0 ? v.slice(0, hash) : v).trim();
  if (/: /.test(plain) || plain.endsWith(':')) return undefined;
  return plain;
}

interface Line {
  indent: number;
  text: string;
}

function blockScalar(
  header: string,
  lines: Line[],
  start: number,
  parentIndent: number,
): [string, number] | undefined {
  const m = /^([|>])([+-]?)\s*(#.*)?$/.exec(header);
  if (m === null) return undefined;
  const [, style, chomp] = m;
  let i = start;
  const body: string[] = [];
  let indent = -1;
  while (i < lines.length) {
    const l = lines[i]!;
    if (l.text === '') {
      body.push('');
      i++;
      continue;
    }
    if (l.indent <= parentIndent) break;
    if (indent < 0) indent = l.indent;
    if (l.indent < indent) break;
    body.push(' '.repeat(l.indent - indent) + l.text);
    i++;
  }
  let trailing = 0;
  while (body.length > 0 && body[body.length - 1] === '') {
    body.pop();
    trailing++;
  }
  let text: string;
  if (style === '|') text = body.join('\n');
  else {
    text = '';
    for (let k = 0; k < body.length; k++) {
      const cur = body[k]!;
      if (k === 0) text = cur;
      else if (cur === '') text += '\n';
      else if (body[k - 1] === '' || cur.startsWith(' ') || body[k - 1]!.startsWith(' ')) text += `\n${cur}`;
      else text += ` ${cur}`;
    }
  }
  if (body.length > 0) {
    if (chomp === '+') text += '\n'.repeat(1 + trailing);
    else if (chomp !== '-') text += '\n';
  }
  return [text, i];
}

/** Parse the YAML subset; `undefined` means "does not parse" (→ no frontmatter). */
export function parseYamlSubset(yaml: string): Frontmatter | undefined {
  const lines: Line[] = [];
  for (const raw of yaml.split('\n')) {
    const noCr = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (/^\s*#/.test(noCr) || noCr.trim() === '') {
      lines.push({ indent: 0, text: '' });
      continue;
    }
    if (noCr.includes('\t') && /^\s*\t/.test(noCr)) return undefined;
    const indent = noCr.length - noCr.trimStart().length;
    lines.push({ indent, text: noCr.trim() });
  }
  const fm: Frontmatter = { metadata: {} };
  const seen = new Set<string>();
  let i = 0;
  while (i < lines.length) {
    const l = lines[i]!;
    if (l.text === '') {
      i++;
      continue;
    }
    if (l.indent !== 0) return undefined;
    const m = /^([A-Za-z0-9_-]+)\s*:(?:\s+(.*))?$/.exec(l.text);
    if (m === null) return undefined;
    const key = m[1]!;
    const rest = (m[2] ?? '').trim();
    if (seen.has(key)) return undefined;
    seen.add(key);
    i++;
    if (key === 'metadata') {
      if (rest !== '' && rest !== '{}') return undefined;
      while (i < lines.length && (lines[i]!.text === '' || lines[i]!.indent > 0)) {
        const sub = lines[i]!;
        i++;
        if (sub.text === '') continue;
        const sm = /^([^:#]+?)\s*:(?:\s+(.*))?$/.exec(sub.text);
        if (sm === null) return undefined;
        const v = unquote(sm[2] ?? '');
        if (v === undefined) return undefined;
        fm.metadata[unquote(sm[1]!) ?? sm[1]!] = v;
      }
      continue;
    }
    let value: string | undefined;
    if (rest.startsWith('|') || rest.startsWith('>')) {
      const block = blockScalar(rest, lines, i, 0);
      if (block === undefined) return undefined;
      [value, i] = block;
    } else if (rest === '') {
      // A key with nothing after it is YAML null; a nested block we do not model is a failure.
      if (i < lines.length && lines[i]!.text !== '' && lines[i]!.indent > 0) return undefined;
      value = undefined;
    } else {
      // A plain scalar may continue on more-indented lines (folded with spaces).
      let text = rest;
      while (i < lines.length && lines[i]!.text !== '' && lines[i]!.indent > 0) {
        text += ` ${lines[i]!.text}`;
        i++;
      }
      value = unquote(text);
      if (value === undefined) return undefined;
      if (value === '~' || value === 'null') value = undefined;
    }
    switch (key) {
      case 'name':
        fm.name = value;
        break;
      case 'description':
        fm.description = value;
        break;
      case 'license':
        fm.license = value;
        break;
      case 'compatibility':
        fm.compatibility = value;
        break;
      case 'when_to_use':
      case 'when-to-use':
        if (fm.whenToUse !== undefined && value !== undefined) return undefined;
        fm.whenToUse = value;
        break;
      case 'allowed-tools':
        fm.allowedTools = value;
        break;
      default:
        break;
    }
  }
  return fm;
}

/**
 * Split SKILL.md text into frontmatter and body, as the proxy does.
 *
 * @returns `[frontmatter, body]`; `[undefined, text]` when there is none or it does not parse.
 * @example
 * ```ts
 * splitFrontmatter('---\nname: x\n---\n# Body\n'); // [{ name: 'x', metadata: {} }, '# Body\n']
 * ```
 */
export function splitFrontmatter(text: string): [Frontmatter | undefined, string] {
  const trimmed = rustTrimStart(text);
  if (!trimmed.startsWith('---')) return [undefined, text];
  const afterOpen = trimmed.slice(3);
  const nl = afterOpen.indexOf('\n');
  if (nl < 0) return [undefined, text];
  const yamlAndRest = afterOpen.slice(nl + 1);
  const end = yamlAndRest.indexOf('\n---');
  if (end < 0) return [undefined, text];
  const yaml = yamlAndRest.slice(0, end);
  const bodyStart = yamlAndRest.slice(end + 4);
  const bnl = bodyStart.indexOf('\n');
  const body = bnl < 0 ? '' : bodyStart.slice(bnl + 1);
  const fm = parseYamlSubset(yaml);
  return fm === undefined ? [undefined, text] : [fm, body];
}

/** The SKILL.md body the proxy serves as `content`: frontmatter stripped when it parses. */
export function stripFrontmatter(text: string): string {
  return splitFrontmatter(text)[1];
}

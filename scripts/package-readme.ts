/**
 * Write a package's README for npm from a README in the repository: every
 * relative link becomes an absolute GitHub link, so it works on the npm
 * page (which resolves nothing against the repository). Run by the
 * package's `prepack`; the output is not committed.
 *
 * Usage (from the package directory):
 * `node --import tsx ../../scripts/package-readme.ts <source README> <output>`.
 *
 * @module
 */
import { statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** `https://github.com/<owner>/<name>` from package.json's `repository`. */
export function githubBase(repository: unknown): string {
  const url =
    typeof repository === 'string' ? repository : (repository as { url?: unknown } | undefined)?.url;
  const m = typeof url === 'string' ? /github\.com[/:]([\w.-]+\/[\w.-]+?)(?:\.git)?$/.exec(url) : null;
  if (m === null) throw new Error('package.json has no GitHub repository URL');
  return `https://github.com/${m[1]}`;
}

/** A link target to leave alone: absolute URL, protocol-relative, in-page anchor, or empty. */
function isAbsolute(target: string): boolean {
  return (
    target === '' || target.startsWith('#') || target.startsWith('//') || /^[a-z][a-z0-9+.-]*:/i.test(target)
  );
}

/**
 * Rewrite the relative link targets in `markdown` (inline links and images,
 * reference definitions, HTML `href`/`src`) against `fromDir`, a directory
 * relative to the repository root. Fenced and inline code are left alone.
 */
export function absoluteLinks(markdown: string, base: string, fromDir: string): string {
  const absolute = (target: string, image: boolean): string => {
    if (isAbsolute(target)) return target;
    const hash = target.indexOf('#');
    const path = hash < 0 ? target : target.slice(0, hash);
    const rest = hash < 0 ? '' : target.slice(hash);
    const full = posix.normalize(posix.join(fromDir, path));
    if (full.startsWith('..')) throw new Error(`link leaves the repository: ${target}`);
    const kind = image
      ? 'raw'
      : statSync(join(ROOT, full), { throwIfNoEntry: false })?.isDirectory()
        ? 'tree'
        : 'blob';
    return `${base}/${kind}/main/${full === '.' ? '' : full}${rest}`;
  };
  const prose = (text: string): string =>
    text
      .replace(
        /(!?)\[((?:[^\]\\]|\\.)*)\]\(\s*<?([^)\s>]*)>?((?:\s+"[^"]*")?\s*)\)/g,
        (_, bang, label, t, title) => {
          return `${bang}[${label}](${absolute(t, bang === '!')}${title})`;
        },
      )
      .replace(/^( {0,3}\[[^\]]+\]:\s*)(\S+)/gm, (_, lead, t) => `${lead}${absolute(t, false)}`)
      .replace(/\b(href|src)="([^"]*)"/g, (_, attr, t) => `${attr}="${absolute(t, attr === 'src')}"`);
  // Rewrite prose only: fenced blocks are split off, inline code spans are held out as placeholders
  // (a link's label may contain one, so they cannot simply be split off).
  return markdown
    .split(/(^(?:```|~~~)[^\n]*\n[\s\S]*?^(?:```|~~~)[ \t]*$)/m)
    .map((part, i) => {
      if (i % 2 === 1) return part;
      const spans: string[] = [];
      const held = part.replace(/`+[^`\n]*`+/g, (code) => `\uE000${spans.push(code) - 1}\uE000`);
      return prose(held).replace(/\uE000(\d+)\uE000/g, (_, n) => spans[Number(n)]!);
    })
    .join('');
}

async function main(): Promise<void> {
  const [source, output] = process.argv.slice(2);
  if (source === undefined || output === undefined)
    throw new Error('usage: package-readme.ts <source> <output>');
  const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { repository?: unknown };
  const fromDir =
    relative(ROOT, dirname(resolve(source)))
      .split(sep)
      .join('/') || '.';
  const text = absoluteLinks(await readFile(source, 'utf8'), githubBase(pkg.repository), fromDir);
  const from = relative(ROOT, resolve(source)).split(sep).join('/');
  const note = `<!-- Written by scripts/package-readme.ts from ${from} at pack time: edit that file. -->\n`;
  await writeFile(output, note + text);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  await main();

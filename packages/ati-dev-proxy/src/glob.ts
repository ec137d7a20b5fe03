/**
 * The proxy's exempt-path globs, matched in linear time. globset compiles a
 * glob to a regex run by Rust's `regex` crate, whose automata never
 * backtrack; a JavaScript `RegExp` for `/*\/*\/*\/x` does, and a path of a
 * few thousand slashes stalled the dev proxy for minutes before auth. Here a
 * glob becomes a short list of steps, and matching walks the path once while
 * tracking the set of steps reachable so far (a Thompson NFA simulation):
 * O(path length × glob length) time, O(glob length) space.
 *
 * @module
 */
import { AtiError } from 'ati-client/internal';

/**
 * One step of a compiled glob: a literal character, `?` (any one
 * character), `*` (any run, `/` included, as with `literal_separator` off),
 * or `opt`: the next two steps (`*` then `/`) may be skipped, which is how
 * globset's whole-component `**` reads (`(?:|.*\/)`).
 */
type Step = { kind: 'char'; char: string } | { kind: 'any' } | { kind: 'star' } | { kind: 'opt' };

/** A compiled glob; see {@link compileGlob}. */
export interface Glob {
  /** Whether the whole of `path` matches. */
  test(path: string): boolean;
}

function invalid(message: string): AtiError {
  return new AtiError('ERR_INVALID_ARGUMENT', message);
}

const STAR: Step = { kind: 'star' };
const SLASH: Step = { kind: 'char', char: '/' };
const OPT: Step = { kind: 'opt' };

/**
 * The steps of `glob` as globset reads it with `literal_separator` off: `*`
 * (and `**` inside a component) match any run of characters, `/` included;
 * `?` one character. Whole-component `**`: at the start (then `/`) it matches
 * nothing or anything ending in `/`; between two `/` it matches `/` or
 * `/anything/`; at the end (after `/`) it matches `/anything`.
 */
function steps(glob: string): Step[] {
  const out: Step[] = [];
  let i = 0;
  if (glob.startsWith('**/')) {
    out.push(OPT, STAR, SLASH);
    i = 3;
  }
  while (i < glob.length) {
    if (glob.startsWith('/**/', i)) {
      out.push(SLASH, OPT, STAR, SLASH);
      i += 4;
    } else if (glob.startsWith('/**', i) && i + 3 === glob.length) {
      out.push(SLASH, STAR);
      i += 3;
    } else if (glob[i] === '*') {
      while (glob[i] === '*') i++;
      if (out.at(-1) !== STAR) out.push(STAR);
    } else {
      const char = String.fromCodePoint(glob.codePointAt(i)!);
      out.push(char === '?' ? { kind: 'any' } : { kind: 'char', char });
      i += char.length;
    }
  }
  return out;
}

/** Add step `i` and every step reachable from it without reading a character. */
function reach(program: readonly Step[], set: Uint8Array, i: number): void {
  while (i <= program.length && set[i] === 0) {
    set[i] = 1;
    const step = program[i];
    if (step === undefined) return; // the accepting state
    if (step.kind === 'opt') {
      reach(program, set, i + 3); // skip `*` and `/`
      i += 1;
    } else if (step.kind === 'star')
      i += 1; // `*` may match nothing
    else return;
  }
}

/**
 * Compile an exempt-path glob. Classes (`[…]`), alternations (`{…}`) and
 * escapes are refused rather than half-supported.
 *
 * @throws {AtiError} `ERR_INVALID_ARGUMENT` for an empty glob or one using `[`, `]`, `{`, `}` or `\`.
 */
export function compileGlob(glob: string): Glob {
  if (typeof glob !== 'string' || glob === '') throw invalid('exempt paths must be non-empty strings');
  if (/[[\]{}\\]/.test(glob))
    throw invalid(`exempt path ${JSON.stringify(glob)}: only *, ** and ? are supported`);
  const program = steps(glob);
  // The leading literal run, checked first: most exempt globs start with one (`/health`, `/root/`).
  let prefix = '';
  for (const step of program) {
    if (step.kind !== 'char') break;
    prefix += step.char;
  }
  if (prefix.length === glob.length) return { test: (path) => path === glob };
  const size = program.length + 1;
  let current = new Uint8Array(size);
  let next = new Uint8Array(size);
  return {
    test(path: string): boolean {
      if (!path.startsWith(prefix)) return false;
      current.fill(0);
      reach(program, current, 0);
      // By code point, as the regex crate reads `?` as one character.
      for (let at = 0; at < path.length; ) {
        const code = path.codePointAt(at)!;
        const char = code > 0xffff ? String.fromCodePoint(code) : path[at]!;
        at += char.length;
        next.fill(0);
        let alive = false;
        for (let i = 0; i < program.length; i++) {
          if (current[i] === 0) continue;
          const step = program[i]!;
          if (step.kind === 'star') {
            reach(program, next, i);
            alive = true;
          } else if (step.kind === 'any' || (step.kind === 'char' && step.char === char)) {
            reach(program, next, i + 1);
            alive = true;
          }
        }
        if (!alive) return false;
        [current, next] = [next, current];
      }
      return current[program.length] === 1;
    },
  };
}

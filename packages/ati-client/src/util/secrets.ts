/**
 * What gives a credential away in text, for the client's redaction and the
 * token rotator's check of sink errors: one rule, so the two cannot drift.
 *
 * @module
 */

/**
 * The texts that reveal `secret`: the whole of it, and each dot-separated
 * part of 16 or more characters (a JWT's payload or signature segment).
 */
export function secretFragments(secret: string): string[] {
  const out = [secret];
  for (const part of secret.split('.')) if (part.length >= 16 && part !== secret) out.push(part);
  return out;
}

/** How many values {@link reachesSecret} reads before it assumes the worst. */
const MAX_VISITS = 1000;

/**
 * Whether `value` (a thrown value) holds any of `fragments` anywhere a
 * rendering could show: a string, or any own property of an object, however
 * deep (`message`, `stack`, `cause`, an `AggregateError`'s `errors`, an
 * HTTP library's `config.data`). A graph too large to read in full counts as
 * holding one.
 */
export function reachesSecret(value: unknown, fragments: readonly string[]): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  let visits = 0;
  while (stack.length > 0) {
    if (++visits > MAX_VISITS) return true;
    const item = stack.pop();
    if (typeof item === 'string') {
      if (fragments.some((f) => item.includes(f))) return true;
      continue;
    }
    if ((typeof item !== 'object' && typeof item !== 'function') || item === null || seen.has(item)) continue;
    seen.add(item);
    for (const key of Reflect.ownKeys(item)) {
      const desc = Object.getOwnPropertyDescriptor(item, key);
      if (desc === undefined) continue;
      if ('value' in desc) {
        stack.push(desc.value);
        continue;
      }
      // An accessor (an Error's own `stack` is one on Node 22+): read it as a rendering would.
      try {
        stack.push(Reflect.get(item, key));
      } catch {
        // A getter that throws shows nothing.
      }
    }
  }
  return false;
}

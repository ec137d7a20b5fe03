/**
 * Plain-text skill instructions for agents: the per-tool "read this skill
 * first" block (contract §5.5) and the deprecated legacy listing (§5.4).
 * Pure; no I/O.
 *
 * @module
 */
import { emitWarning } from '../text/warn.ts';

/** One tool's successful `GET /tools/{name}` response, as {@link formatToolInstructions} consumes it. */
export interface ToolInfoResult {
  /** The tool name as requested. */
  readonly tool: string;
  /** The parsed JSON body of the proxy's 200 response. */
  readonly data: unknown;
}

/**
 * Build the "read the methodology before using these tools" instructions from
 * the proxy's per-tool responses, with the exact text of the Python SDK's
 * `build_tool_instructions` (contract §5.5).
 *
 * Pass the responses in request order and leave out the tools whose request
 * failed (the SDK skips them). A skill is listed once, under the provider of
 * the first tool that declared it; providers keep first-seen order.
 *
 * Input is untrusted JSON: `provider` is used when it is a string, else the
 * tool name; `skills` is used when it is an array, and its non-string items are
 * ignored. (Python would print a non-string provider or skill with `str()`.)
 *
 * @param results - `{ tool, data }` per successful tool lookup, in request order.
 * @returns The instructions joined with `\n` (no trailing newline), or `''` when no tool declares a skill.
 * @example
 * ```ts
 * formatToolInstructions([{ tool: 'finnhub:quote', data: { provider: 'finnhub', skills: ['finnhub-methodology'] } }]);
 * // 'Before using finnhub tools, read the methodology:\n  ati skill fetch read finnhub-methodology'
 * ```
 */
export function formatToolInstructions(results: readonly ToolInfoResult[]): string {
  const byProvider = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const { tool, data } of results) {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) continue;
    const skills: unknown = Object.hasOwn(data, 'skills') ? Reflect.get(data, 'skills') : undefined;
    if (!Array.isArray(skills)) continue;
    const provider: unknown = Object.hasOwn(data, 'provider') ? Reflect.get(data, 'provider') : undefined;
    const key = typeof provider === 'string' ? provider : tool;
    for (const skill of skills) {
      if (typeof skill !== 'string' || seen.has(skill)) continue;
      seen.add(skill);
      const list = byProvider.get(key);
      if (list === undefined) byProvider.set(key, [skill]);
      else list.push(skill);
    }
  }
  const lines: string[] = [];
  for (const [provider, skills] of byProvider) {
    if (skills.length === 1) {
      lines.push(
        `Before using ${provider} tools, read the methodology:\n  ati skill fetch read ${skills[0]}`,
      );
    } else {
      lines.push(`Before using ${provider} tools, read the relevant skill:`);
      for (const skill of skills) lines.push(`  ati skill fetch read ${skill}`);
    }
  }
  return lines.join('\n');
}

/** Stable code of the one-time warning {@link buildSkillInstructions} emits. */
const DEPRECATION_CODE = 'ATI_DEP_SKILL_INSTRUCTIONS';
let warned = false;

/**
 * The pre-0.7.5 skill list, byte-identical to the Python SDK's deprecated
 * `build_skill_instructions` (contract §5.4): a Markdown heading, one bullet per
 * name in the order given (no dedupe), and a closing hint, with no trailing newline.
 *
 * The first call in a process emits a `DeprecationWarning` (code
 * `ATI_DEP_SKILL_INSTRUCTIONS`) through `process.emitWarning` where it exists,
 * else `console.warn`; later calls are silent.
 *
 * @deprecated Use `AtiOrchestrator#buildSkillListing` (the proxy's
 * `/skillati/catalog` rendered by `formatSkillListing`), which carries
 * descriptions and fits a size budget.
 * @param skills - Skill names, inserted verbatim.
 * @returns The instructions, or `''` for an empty list.
 * @example
 * ```ts
 * buildSkillInstructions(['foo']);
 * // '# Available Skills\n\nThe following skills … \n\n- **foo**: `ati skill fetch read foo`\n\nUse `ati skill fetch read <name>` …'
 * ```
 */
export function buildSkillInstructions(skills: readonly string[]): string {
  warnOnce();
  if (skills.length === 0) return '';
  const lines = [
    '# Available Skills',
    '',
    'The following skills contain methodology and detailed guidance for this task.',
    'Read the relevant skill(s) before using the associated tools.',
    '',
  ];
  for (const skill of skills) lines.push(`- **${skill}**: \`ati skill fetch read ${skill}\``);
  lines.push(
    '',
    "Use `ati skill fetch read <name>` to fetch and read a skill's full methodology. Skills contain tool-specific workflows, parameter guidance, and best practices.",
  );
  return lines.join('\n');
}

function warnOnce(): void {
  if (warned) return;
  warned = true;
  const message =
    'buildSkillInstructions is deprecated and will be removed in a future release; use AtiOrchestrator#buildSkillListing (the proxy catalog rendered by formatSkillListing) instead.';
  emitWarning(message, DEPRECATION_CODE, 'DeprecationWarning');
}

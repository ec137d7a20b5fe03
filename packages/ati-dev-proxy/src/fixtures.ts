/**
 * The sample fixtures: four tools over two providers (`finnhub`, `web`; one
 * tool without a scope), three local skills (one with frontmatter, one with a
 * binary file and nested paths, one reachable only by name or dependency),
 * and a 30-entry SkillATI catalog so the search cap of 25 shows.
 *
 * The same skills are on disk under `fixtures/skills/` (package root), for
 * `loadSkillsDir` and `ati-client dev-proxy --skills-dir`; a test keeps the
 * two in step.
 *
 * @module
 */

import { isJsonObject, type Json } from './serde-json.ts';
import type { DevCatalogEntry, DevProvider, DevSkill, DevTool } from './types.ts';

/** A 1×1 transparent PNG (not valid UTF-8: served as `{"base64": …}`). */
const LOGO_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** A deterministic pseudo price from a ticker, so fixture answers are stable. */
function price(symbol: string): number {
  let h = 0;
  for (const ch of symbol) h = (h * 31 + ch.codePointAt(0)!) % 100_000;
  return Math.round(10_000 + h) / 100;
}

function argString(args: Json, key: string): string | undefined {
  if (!isJsonObject(args)) return undefined;
  const v = args[key];
  return typeof v === 'string' ? v : undefined;
}

const tools: DevTool[] = [
  {
    name: 'finnhub:quote',
    provider: 'finnhub',
    description: 'Real-time stock quote for a ticker symbol',
    scope: 'tool:finnhub:quote',
    method: 'Get',
    endpoint: '/quote',
    hint: 'Use for the latest price of one listed company',
    tags: ['stocks', 'real-time', 'finance'],
    inputSchema: {
      type: 'object',
      properties: { symbol: { type: 'string', description: 'Ticker symbol, e.g. AAPL' } },
      required: ['symbol'],
    },
    skills: ['market-research'],
    handler: (args) => {
      const symbol = argString(args, 'symbol') ?? 'AAPL';
      const c = price(symbol);
      return { symbol, c, h: Math.round(c * 102) / 100, l: Math.round(c * 98) / 100, t: 1_700_000_000 };
    },
  },
  {
    name: 'finnhub:company_news',
    provider: 'finnhub',
    description: 'Recent news articles about a company',
    scope: 'tool:finnhub:company_news',
    method: 'Get',
    endpoint: '/company-news',
    tags: ['news', 'finance'],
    inputSchema: {
      type: 'object',
      properties: {
        symbol: { type: 'string', description: 'Ticker symbol' },
        from: { type: 'string', description: 'YYYY-MM-DD' },
        to: { type: 'string', description: 'YYYY-MM-DD' },
      },
      required: ['symbol'],
    },
    handler: (args) => {
      const symbol = argString(args, 'symbol') ?? 'AAPL';
      return [
        { headline: `${symbol} reports quarterly results`, source: 'Fixture Wire', datetime: 1_700_000_000 },
        { headline: `Analysts revisit ${symbol}`, source: 'Fixture Daily', datetime: 1_699_990_000 },
      ];
    },
  },
  {
    name: 'web_search',
    provider: 'web',
    description: 'Search the web and return the top results',
    scope: 'tool:web_search',
    method: 'Post',
    endpoint: '/search',
    tags: ['search', 'web'],
    inputSchema: {
      type: 'object',
      properties: { query: { type: 'string' }, max_results: { type: 'integer', default: 3 } },
      required: ['query'],
    },
    handler: (args) => {
      const query = argString(args, 'query') ?? '';
      return {
        query,
        results: [1, 2, 3].map((n) => ({
          title: `Result ${n} for ${query}`,
          url: `https://example.com/${n}`,
        })),
      };
    },
  },
  {
    // No scope: visible to and callable by every token (contract §2.2).
    name: 'web_fetch',
    provider: 'web',
    description: 'Fetch a URL and return its text (fixture: echoes the arguments)',
    method: 'Get',
    endpoint: '/fetch',
    tags: ['web'],
    inputSchema: { type: 'object', properties: { url: { type: 'string' } }, required: ['url'] },
  },
];

const providers: DevProvider[] = [
  { name: 'finnhub', description: 'Finnhub market data', category: 'finance' },
  { name: 'web', description: 'Web search and fetch', category: 'search' },
];

const MARKET_RESEARCH_TOML = `[skill]
name = "market-research"
version = "1.2.0"
description = "Research a listed company: quote, news and a sourced summary"
author = "ati-client fixtures"
tools = ["finnhub:quote", "finnhub:company_news"]
providers = ["finnhub"]
categories = ["finance"]
keywords = ["stocks", "equities", "ticker", "earnings"]
hint = "Start with finnhub:quote, then read the news"
depends_on = ["citation-style"]
`;

const MARKET_RESEARCH_MD = `# Market research

1. Get the latest price with \`finnhub:quote\`.
2. Read recent coverage with \`finnhub:company_news\`.
3. Write a summary; cite every source (see the citation-style skill).

Data sources are listed in references/data-sources.md.
`;

const CITATION_TOML = `[skill]
name = "citation-style"
version = "0.3.0"
description = "How to cite sources in research notes"
keywords = ["citations", "sources", "references"]
`;

const CITATION_MD = `# Citation style

Cite as: [n] Publisher, "Headline", YYYY-MM-DD, URL.
`;

const WEB_GUIDE_MD = `---
name: web-search-guide
description: Search the web efficiently and verify what you find
when_to_use: When a question needs fresh information from the public web
metadata:
  author: ati-client fixtures
  version: "2.0.0"
---
# Web search guide

Search with \`web_search\`, open the best hits with \`web_fetch\`, and cross-check claims.
`;

const WEB_GUIDE_TOML = `# Bindings only; name and description come from the SKILL.md frontmatter.
[skill]
name = "web-search-guide"
tools = ["web_search"]
providers = ["web"]
categories = ["search"]
keywords = ["search", "browse", "verify"]
hint = "Prefer two independent sources"
`;

const skills: DevSkill[] = [
  {
    name: 'citation-style',
    version: '0.3.0',
    description: 'How to cite sources in research notes',
    content: CITATION_MD,
    keywords: ['citations', 'sources', 'references'],
    format: 'legacy-toml',
    files: { 'skill.toml': CITATION_TOML },
  },
  {
    name: 'market-research',
    version: '1.2.0',
    description: 'Research a listed company: quote, news and a sourced summary',
    author: 'ati-client fixtures',
    content: MARKET_RESEARCH_MD,
    tools: ['finnhub:quote', 'finnhub:company_news'],
    providers: ['finnhub'],
    categories: ['finance'],
    keywords: ['stocks', 'equities', 'ticker', 'earnings'],
    hint: 'Start with finnhub:quote, then read the news',
    dependsOn: ['citation-style'],
    format: 'legacy-toml',
    files: {
      'skill.toml': MARKET_RESEARCH_TOML,
      'references/data-sources.md': '# Data sources\n\n- Finnhub quotes and company news\n',
      'references/deep/notes.md': '# Notes\n\nNested reference file.\n',
      'scripts/summarize.sh': '#!/bin/sh\necho "summary for $1"\n',
      'assets/logo.png': fromBase64(LOGO_PNG_BASE64),
    },
  },
  {
    name: 'web-search-guide',
    version: '2.0.0',
    description: 'Search the web efficiently and verify what you find',
    author: 'ati-client fixtures',
    whenToUse: 'When a question needs fresh information from the public web',
    content: WEB_GUIDE_MD,
    tools: ['web_search'],
    providers: ['web'],
    categories: ['search'],
    keywords: ['search', 'browse', 'verify'],
    hint: 'Prefer two independent sources',
    format: 'anthropic',
    files: { 'skill.toml': WEB_GUIDE_TOML },
  },
];

/** [name, topic, bindings] of the catalog; every description ends in "guide" so a search for it hits all 30. */
const CATALOG_ROWS: ReadonlyArray<readonly [string, string, Partial<DevCatalogEntry>]> = [
  ['sec-filings', 'Reading 10-K and 10-Q filings', { providers: ['finnhub'], keywords: ['sec', 'edgar'] }],
  [
    'earnings-calls',
    'Summarizing earnings call transcripts',
    { tools: ['finnhub:company_news'], keywords: ['earnings'] },
  ],
  [
    'valuation-basics',
    'Valuation ratios and their pitfalls',
    { categories: ['finance'], keywords: ['pe', 'dcf'] },
  ],
  ['portfolio-review', 'Reviewing a stock portfolio', { categories: ['finance'] }],
  ['dividend-analysis', 'Dividend yield and payout analysis', { providers: ['finnhub'] }],
  ['market-news-digest', 'Writing a daily market news digest', { tools: ['finnhub:company_news'] }],
  ['web-research', 'Researching a topic on the open web', { tools: ['web_search'], keywords: ['research'] }],
  ['source-verification', 'Verifying sources and claims', { providers: ['web'], keywords: ['fact-check'] }],
  ['search-operators', 'Advanced search operators', { tools: ['web_search'], keywords: ['query'] }],
  ['page-extraction', 'Extracting main text from web pages', { tools: ['web_fetch'] }],
  ['news-monitoring', 'Monitoring news for a keyword', { categories: ['search'] }],
  ['competitive-analysis', 'Comparing competitors in a market', { categories: ['finance', 'search'] }],
  ['api-pagination', 'Paging through API results', {}],
  ['csv-cleanup', 'Cleaning messy CSV exports', { keywords: ['csv', 'data'] }],
  ['chart-design', 'Designing readable charts', { keywords: ['charts'] }],
  ['executive-summary', 'Writing an executive summary', { keywords: ['writing'] }],
  ['meeting-notes', 'Turning meeting notes into action items', {}],
  ['email-drafting', 'Drafting clear business email', { keywords: ['writing', 'email'] }],
  ['risk-register', 'Keeping a project risk register', {}],
  ['sql-review', 'Reviewing SQL queries for correctness', { keywords: ['sql'] }],
  ['regex-recipes', 'Common regular expression recipes', { keywords: ['regex'] }],
  ['incident-report', 'Writing a blameless incident report', {}],
  ['glossary-builder', 'Building a domain glossary', {}],
  ['timeline-builder', 'Building a timeline from documents', {}],
  ['translation-check', 'Checking a translation for meaning drift', {}],
  ['survey-analysis', 'Analyzing survey responses', { keywords: ['survey', 'data'] }],
  ['pdf-tables', 'Pulling tables out of PDFs', { keywords: ['pdf'] }],
  ['unit-conversion', 'Converting units without mistakes', {}],
  ['date-math', 'Date arithmetic across time zones', { keywords: ['dates', 'time zones'] }],
  ['style-guide', 'Applying a house style guide', { keywords: ['writing'] }],
];

const catalog: DevCatalogEntry[] = CATALOG_ROWS.map(([name, topic, extra]) => ({
  name,
  description: `${topic}: a step-by-step guide`,
  ...extra,
}));

// One entry with files and references, to exercise /skillati/{name}/resources|file|refs|ref.
catalog[0] = {
  ...catalog[0]!,
  whenToUse: 'When a question needs numbers from an annual or quarterly report',
  content: `---
name: sec-filings
description: "Reading 10-K and 10-Q filings: a step-by-step guide"
---
# SEC filings

Form notes are in \${ATI_SKILL_DIR}/references/forms.md.
For transcripts, see .claude/skills/earnings-calls/SKILL.md and earnings-calls/references/speakers.md.
`,
  files: {
    'references/forms.md': '# Forms\n\n- 10-K: annual\n- 10-Q: quarterly\n',
    'scripts/parse.py': 'print("parse")\n',
    'assets/seal.png': fromBase64(LOGO_PNG_BASE64),
  },
};

/**
 * Sample tools, providers, skills and SkillATI catalog for the dev proxy.
 * Spread it into the options: `startDevProxy({ ...sampleFixtures, secret })`.
 *
 * @example
 * ```ts
 * const proxy = createDevProxy({ ...sampleFixtures });
 * const res = await proxy.fetch(new Request('http://dev/tools'));
 * ```
 */
export const sampleFixtures: {
  /** Tools to list and call (`/tools`, `/call`). */
  readonly tools: readonly DevTool[];
  /** Their providers (`/help`, tool details). */
  readonly providers: readonly DevProvider[];
  /** Skills with their files (`/skills`, `/skills/bundle`). */
  readonly skills: readonly DevSkill[];
  /** The SkillATI catalog (`/skillati/*`). */
  readonly catalog: readonly DevCatalogEntry[];
} = Object.freeze({
  tools: Object.freeze(tools),
  providers: Object.freeze(providers),
  skills: Object.freeze(skills),
  catalog: Object.freeze(catalog),
});

// Term extraction and the HTML stripper on the worst input each field allows (issue 17): today's code
// against the code before the fix (uncapped words into the Porter stemmer, the regex stripper), side by
// side in one run. Prints a table and writes bench/results/hostile-input.json.
//
// Run from the repository root: npx tsx bench/text/hostile-input.ts   (BENCH_REPEAT=3; BENCH_BEFORE_MAX=30000
// skips the old code on longer inputs: it is quadratic, ~45 s at 100,000 characters)
import { extractAnswerTerms, extractTerms, htmlToText } from '@qr/matching';
import porterStemmer from 'natural/lib/natural/stemmers/porter_stemmer.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const BEFORE_MAX = Number(process.env.BENCH_BEFORE_MAX ?? 30_000);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The stripper before the fix (packages/matching at 7cbc2de), as the baseline. */
function regexHtmlToText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?(?:-->|$)/g, ' ')
    .replace(/<(script|style)\b[^>]*>[\s\S]*?(?:<\/\1\s*>|$)/gi, ' ')
    .replace(/<\/?[a-zA-Z][^>]*>/g, ' ');
}
/** Stemming before the fix: every word whole. */
function uncappedStems(text: string): number {
  let n = 0;
  for (const word of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (word.length > 1) n += porterStemmer.stem(word).length;
  return n;
}

// The limits: the api takes titles of 300 characters and bodies of 30,000; a question.asked message from
// any STOMP client may carry a body of 100,000 (packages/contracts), which the matcher extracts too.
const cases: { field: string; input: string; now: () => unknown; before: () => unknown }[] = [];
const word = (n: number): string => `${'b'.repeat(n - 1)}s`;
for (const [field, n] of [['title (api, 300)', 300], ['body (api, 30,000)', 30_000], ['body (question.asked, 100,000)', 100_000]] as const) {
  const one = word(n);
  cases.push({ field, input: `one word of ${n.toLocaleString('en')}`, now: () => extractTerms({ title: '', body: one, tags: [] }), before: () => uncappedStems(one) });
}
for (const n of [30_000, 100_000]) {
  for (const [name, unit] of [['<a', '<a'], ['<script', '<script'], ['<!--', '<!--'], ['<p x="', '<p x="']] as const) {
    const html = unit.repeat(Math.floor(n / unit.length));
    cases.push({ field: `body HTML (${n.toLocaleString('en')})`, input: `'${name}' repeated`, now: () => htmlToText(html), before: () => regexHtmlToText(html) });
  }
  const answer = `<p>${word(n - 8)}</p>`;
  cases.push({ field: `answer (${n.toLocaleString('en')})`, input: 'one word in a paragraph', now: () => extractAnswerTerms(answer), before: () => uncappedStems(regexHtmlToText(answer)) });
}

function best(fn: () => unknown): number {
  let min = Infinity;
  for (let i = 0; i < REPEAT; i++) {
    const t = performance.now();
    fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

const rows = cases.map((c) => {
  const length = c.field.match(/[\d,]+(?=\))/)?.[0]?.replace(/,/g, '');
  const tooLong = Number(length) > BEFORE_MAX;
  return { field: c.field, input: c.input, nowMs: best(c.now), beforeMs: tooLong ? null : best(c.before) };
});

console.log(`best of ${REPEAT}, ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}\n`);
console.log('| field (limit) | worst input | now ms | before ms |');
console.log('|---|---|---:|---:|');
for (const r of rows) console.log(`| ${r.field} | ${r.input} | ${r.nowMs.toFixed(2)} | ${r.beforeMs === null ? `not run (> ${BEFORE_MAX})` : r.beforeMs.toFixed(1)} |`);
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
writeFileSync(path.join(root, 'bench/results/hostile-input.json'), `${JSON.stringify({ repeat: REPEAT, node: process.version, rows }, null, 2)}\n`);

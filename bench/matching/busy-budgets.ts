/**
 * Deciding at a busy moment: questions arrive one after another on a synthetic community, each asks
 * MATCH_LIMIT people who are recorded against their ask budgets (DEFAULT_ASK_BUDGET), so the best
 * people run out of budget and every decision has to look past more of them. Two ways of deciding, side
 * by side on the same question and ledger:
 * - **decide()**: the people who may be asked, ranked with the others skipped unscored, then the first
 *   few passed over above the last ask (chooseAsks over the lazy ranking's parts);
 * - **the whole ranking read in order** (the baseline, how decide() read it until this change): every
 *   person above the tenth who may be asked is scored, however many were passed over.
 * Both must choose the same people with the same passed-over names (checked on every question). Prints
 * a table per block of questions and writes bench/results/busy-budgets.json.
 *
 * Reads the community from score-at-scale.ts's snapshot (made on its first run with --snapshots):
 *   npx tsx bench/matching/score-at-scale.ts --sizes=10000 --questions=50 --snapshots=/var/tmp/qr-snapshots
 *   npx tsx bench/matching/busy-budgets.ts --people=10000 --questions=4000 --snapshots=/var/tmp/qr-snapshots
 */
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import {
  AskLedger, chooseAsks, decide, DEFAULT_ASK_BUDGET, DEFAULT_MODEL, extractTerms, partsOf, ranking, readSnapshot, whyNotAsk, type BudgetCheck, type RankInput,
} from '@qr/matching';
import { arg } from '../args.js';
import { summary } from '../stats.js';
import { NOW, seedFor, Synth, SYNTHETIC_SEED, textOf } from './synthetic.js';

const PEOPLE = Number(arg('people', '10000'));
const QUESTIONS = Number(arg('questions', '4000'));
const BLOCK = Number(arg('block', '500'));
const LIMIT = 10;
const SEED = Number(arg('seed', String(SYNTHETIC_SEED)));
const kept = join(arg('snapshots', '/var/tmp/qr-snapshots'), `synthetic-${PEOPLE}-${SEED}`);

const { index } = readSnapshot(`${kept}.snapshot`);
const corpus = JSON.parse(readFileSync(`${kept}.json`, 'utf8')) as { answers: number; documentFrequency: [string, number][] };
const stats = { documents: corpus.answers, documentFrequency: new Map(corpus.documentFrequency) };
const ledger = new AskLedger();
const asking = new Synth(seedFor(PEOPLE, SEED) + 3);
const blocks = [];
let mismatches = 0;
for (let first = 0; first < QUESTIONS; first += BLOCK) {
  const partsMs: number[] = [];
  const wholeMs: number[] = [];
  const passedAbove: number[] = [];
  for (let q = first; q < Math.min(QUESTIONS, first + BLOCK); q++) {
    // a minute apart, the last at NOW: budgets count the week before each
    const now = NOW - (QUESTIONS - q) * 60_000;
    const input: RankInput = { question: extractTerms(textOf(asking.question(asking.tag()))), stats, now, model: DEFAULT_MODEL, exclude: [1_000 + q % PEOPLE] };
    const check: BudgetCheck = { policy: DEFAULT_ASK_BUDGET, ledger, answersPerDay: (u) => index.activity(u)?.answersPerDay(now) ?? 0, preferences: () => undefined };
    const whyNot = (userId: number) => whyNotAsk(check, userId, now);
    let started = performance.now();
    let depth = 0; // how far the first part (those who may be asked) read
    let parts = 0;
    // each part reads the whole ranking from the top: those who may be asked, then the few named above them
    const whole = {
      *[Symbol.iterator]() {
        const first = parts++ === 0;
        for (const c of ranking(index, input)) {
          if (first) depth++;
          yield c;
        }
      },
    };
    const before = chooseAsks(partsOf(whole), LIMIT, whyNot);
    wholeMs.push(performance.now() - started);
    started = performance.now();
    const decision = decide(index, input, LIMIT, whyNot);
    partsMs.push(performance.now() - started);
    passedAbove.push(depth - before.asks.length);
    const same = isDeepStrictEqual(decision.matches.map((m) => [m.userId, m.reasons.passedOver ?? []]), before.asks.map((a) => [a.userId, a.passedOver.length ? a.passedOver : []]));
    if (!same) mismatches += 1;
    for (const m of decision.matches) ledger.record(m.userId, now, q);
  }
  const block = { questions: `${first + 1}-${first + partsMs.length}`, passedAbove: summary(passedAbove), decideMs: summary(partsMs, 2), wholeRankingMs: summary(wholeMs, 2) };
  blocks.push(block);
  console.log(JSON.stringify(block));
}
console.log(`\n${PEOPLE.toLocaleString('en')} people, ${QUESTIONS} questions a minute apart, ${LIMIT} asks each; decisions that differ: ${mismatches}`);
console.log('\n| questions | people passed over above the last ask p50 / max | decide() p50 / p99 ms | whole ranking read in order p50 / p99 ms |');
console.log('|---|---:|---:|---:|');
for (const b of blocks) console.log(`| ${b.questions} | ${b.passedAbove.p50} / ${b.passedAbove.max} | ${b.decideMs.p50} / ${b.decideMs.p99} | ${b.wholeRankingMs.p50} / ${b.wholeRankingMs.p99} |`);
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'busy-budgets.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), machine: { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version }, people: PEOPLE, mismatches, blocks }, null, 2)}\n`);

import { activateRankingModel, getRankingModel, listRankingModels } from '@qr/db';
import type { MethodMetrics, ValidationReport } from '@qr/eval';
import { FEATURES, parseModel } from '@qr/matching';
import { tuneModel } from '@qr/routing';
import type { CliContext } from '../context.js';
import { commandLog, table, UsageError, type Output } from '../output.js';

const f = (x: number | undefined): string => (x === undefined ? '–' : x.toFixed(3));

function printValidation(io: Output, validation: ValidationReport): void {
  io.out(`validation: the later ${validation.questions} answered question(s), from ${validation.from}; the fit measured there was fitted without them`);
  io.out(table(['method', 'MRR', 'Hit@10', 'P@1', 'accepted Hit@10'], Object.entries(validation.methods).map(([name, m]) => [name, f(m.mrr), f(m['hit@10']), f(m['p@1']), f(m['acc_hit@10'])])));
}

/**
 * `lemur tune`: fits the ranking model on this database's history, prints how it validates against
 * the active model, the default and the baselines, stores it, and activates it if it is better (or
 * with --force). Matchers rank with an activated model from their next question on.
 */
export async function tuneCommand(ctx: CliContext, io: Output, options: { force?: boolean }): Promise<void> {
  const result = await tuneModel(ctx.pool, { log: commandLog(io), force: options.force });
  const { trained } = result;
  if (result.outcome === 'too-little-history') {
    io.out(`${trained.reason}.`);
    io.out(result.previous === undefined ? 'The matchers keep the default model (fitted on five public Stack Exchange sites).' : `The matchers keep version ${result.previous}.`);
    return;
  }
  if (trained.validation) printValidation(io, trained.validation);
  io.out(`weights: ${FEATURES.map((name) => `${name} ${trained.model.weights[name].toFixed(3)}`).join(', ')}`);
  const was = result.previous === undefined ? 'the default model' : `version ${result.previous}`;
  const c = result.comparison;
  const measured = c ? ` (validation MRR ${f(c.fitted)} against ${f(c.incumbent)} for ${was})` : '';
  if (result.outcome === 'activated') io.out(`version ${result.version} stored and activated${measured}; it replaces ${was}.`);
  else io.out(`version ${result.version} stored, not activated: it does not validate better than ${was}${measured}. \`lemur tune --activate ${result.version}\` activates it anyway.`);
}

/** `lemur tune --list`: every stored version, newest first. */
export async function tuneList(ctx: CliContext, io: Output): Promise<void> {
  const rows = await listRankingModels(ctx.pool);
  if (rows.length === 0) {
    io.out('no model stored: the matchers rank with the default model. `lemur tune` fits one on this database\'s history.');
    return;
  }
  io.out(table(['version', 'active', 'created', 'questions', 'history until', 'validation MRR', 'default', 'note'], rows.map((r) => {
    const methods = (r.validation as { methods?: Record<string, MethodMetrics> } | null)?.methods ?? {};
    return [r.version, r.active ? 'yes' : '', r.createdAt.toISOString(), r.questions, r.trainedUntil.toISOString(), f(methods.fitted?.mrr), f(methods.default?.mrr), r.note];
  })));
}

/** `lemur tune --activate N`: rolls back (or forward) to a stored version. */
export async function tuneActivate(ctx: CliContext, io: Output, version: number): Promise<void> {
  const row = await getRankingModel(ctx.pool, version);
  if (!row) throw new UsageError(`no model version ${version}; \`lemur tune --list\` shows them`);
  parseModel(row.model); // a stored model that cannot be read is not activated
  await activateRankingModel(ctx.pool, version);
  io.out(`version ${version} is active; the matchers rank with it from their next question on.`);
}

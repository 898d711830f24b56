import { describe, expect, it } from 'vitest';
import { runCli } from '../src/index.js';

const run = async (args: string[], env: Record<string, string> = {}) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (t) => out.push(t), err: (t) => err.push(t) }, env);
  return { code, out: out.join('\n'), err: err.join('\n') };
};

describe('lemur arguments (no broker or database needed)', () => {
  it('prints help for the command and its subcommands, exit 0', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['queues', 'tail', 'dlq', 'replay', 'journal']) expect(help.out).toContain(command);
    expect((await run(['dlq', 'list', '--help'])).out).toContain('the dead letters of a queue');
  });

  it('refuses wrong arguments with exit 2 and says what is wrong', async () => {
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("unknown command 'frobnicate'");
    const badId = await run(['replay', '--question', 'abc']);
    expect(badId.code).toBe(2);
    expect(badId.err).toContain('expected a positive whole number');
    const badDate = await run(['replay', '--since', 'last tuesday']);
    expect(badDate.err).toContain('expected a date');
    expect((await run(['replay'])).err).toContain('say what to replay');
    expect((await run(['dlq', 'list'])).err).toContain("missing required argument 'queue'");
    expect((await run(['journal', 'prune'])).err).toContain("required option '--older-than <days>' not specified");
  });

  it('reports a bad setting in the environment as a usage error, exit 2', async () => {
    const result = await run(['queues'], { STOMP_URL: 'not a url' });
    expect(result.code).toBe(2);
    expect(result.err).toBe('lemur: STOMP_URL is not a URL: "not a url"');
  });
});

// `trpo check-env ./my-env.mjs[#export]`: run checkEnv on one env and print every problem with its fix.
import { checkEnv, formatReport } from '../../envs/custom/check.js';
import { makeEnv } from '../../envs/registry.js';
import { loadUserEnv } from '../envs/load.js';
import { resolveEnvRef } from '../envs/source.js';
import type { CheckEnvArgs, CommandContext } from './commands.js';

export async function runCheckEnv(args: CheckEnvArgs, ctx: CommandContext): Promise<number> {
  const source = resolveEnvRef(args.env);
  const id = source?.id ?? args.env;
  const env = source ? await loadUserEnv(source) : await makeEnv(args.env);
  const report = checkEnv(env, { id, steps: args.steps, seed: args.seed });
  ctx.stdout.write(`${formatReport(id, report)}\n`);
  if (source) ctx.stdout.write(`module: ${source.module} (export ${source.export})\n`);
  return report.ok ? 0 : 1;
}

// The `trpo train`, `trpo eval` and `trpo export` commands (flag parsing lives in sdk/cli/).
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { createEnv } from '../envs/load.js';
import { resolveEnvRef } from '../envs/source.js';
import type { CommandContext, EvalArgs, ExportArgs, TrainArgs } from '../cli/commands.js';
import { loadOnnxPolicy } from '../onnx/index.js';
import { runEpisodes, type EvaluationResult } from './evaluate.js';
import { FileSystemError } from '../run/fs-errors.js';
import { LOCK_TOKEN_ENV } from '../run/lock.js';
import { runDataFolderOf, runModelDir } from '../run/run-folder.js';
import { trainRun } from './run.js';
import { loadAgent, type Agent } from '../agents.js';
import { tunedDefaults } from './defaults.js';

export async function runTrain(args: TrainArgs, ctx: CommandContext): Promise<number> {
  const options = {
    ...args.options,
    ...(args.checkpointEvery !== undefined ? { checkpointEvery: args.checkpointEvery } : {}),
    ...(args.keepCheckpoints !== undefined ? { keepCheckpoints: args.keepCheckpoints } : {}),
  };
  const result = await trainRun({
    options,
    totalTimesteps: args.timesteps,
    out: args.outDir,
    resume: args.resumeFrom === undefined ? false : args.resumeFrom === args.outDir ? true : args.resumeFrom,
    signal: ctx.signal,
    evalEpisodes: args.evalEpisodes,
    csv: args.csv,
    tensorboardLog: args.tensorboardLog,
    progress: args.progress ? ctx.stdout : undefined,
    lockToken: process.env[LOCK_TOKEN_ENV],
    notice: (message) => ctx.stderr.write(`${message}\n`),
    // The header says what this segment really trains: a resumed run's own env, seed and target.
    onStart: (p) => ctx.stdout.write(
      `trpo train: ${p.algo === 'trpo' ? '' : `${p.algo}, `}${typeof p.env === 'string' ? p.env : (p.env as { module?: string }).module}, seed ${p.seed}, target ${p.totalTimesteps} steps` +
        `${p.resumed ? ` (resuming at ${p.startTimesteps})` : ''} → ${args.outDir}\n`,
    ),
  });
  if (result.status === 'stopped') {
    ctx.stdout.write(`Stopped after ${result.totalTimesteps} steps; continue with: trpo train --out ${args.outDir} --resume\n`);
    return 130;
  }
  return 0;
}

export async function runEval(args: EvalArgs, ctx: CommandContext): Promise<number> {
  let result: EvaluationResult;
  let label: string;
  if (args.source === 'run') {
    const agent = await loadRunAgent(args.runDir);
    result = await agent.evaluate({ episodes: args.episodes, seed: args.seed, deterministic: args.deterministic });
    label = `${agent.options.env} (${args.runDir})`;
  } else {
    const policy = await loadOnnxPolicy(args.policyPath);
    const source = resolveEnvRef(args.env);
    // A built-in env as training built it by default (Ant's tuned observation leaves out contact forces).
    const env = await createEnv(args.env, source, source ? undefined : tunedDefaults(args.env).envOptions);
    try {
      if (policy.metadata.envId !== env.id) {
        ctx.stderr.write(`note: ${args.policyPath} was trained on ${policy.metadata.envId}, evaluating on ${env.id}\n`);
      }
      if (!args.deterministic) throw new Error('trpo eval --policy runs the deterministic action of the ONNX graph; --stochastic needs --run');
      result = await runEpisodes(
        env,
        async (obs) => {
          const a = await policy.act(obs);
          return typeof a === 'number' ? [a] : a;
        },
        { episodes: args.episodes, seed: args.seed },
      );
      label = `${args.env} (${args.policyPath})`;
    } finally {
      env.close();
      await policy.close();
    }
  }
  ctx.stdout.write(
    `${label}: mean return ${result.meanReturn.toFixed(2)} ± ${result.stdReturn.toFixed(2)} over ${result.episodes} episodes ` +
      `(mean length ${result.meanLength.toFixed(1)})\n`,
  );
  return 0;
}

export async function runExport(args: ExportArgs, ctx: CommandContext): Promise<number> {
  const inside = runDataFolderOf(args.outPath);
  if (inside !== undefined) {
    throw new Error(`--out ${args.outPath} is inside ${inside}, which holds a saved model or checkpoint; writing there would damage it. Choose a path outside it.`);
  }
  const agent = await loadRunAgent(args.runDir);
  const result = await agent.exportOnnx(args.outPath, {
    stochastic: args.stochastic, clipActions: args.clipActions, opset: args.opset, overwrite: args.force,
  }).catch((error: unknown) => {
    if (error instanceof FileSystemError && error.code === 'EEXIST') {
      throw new Error(`${args.outPath} exists; not replacing it. Choose another --out, or pass --force to replace it.`);
    }
    throw error;
  });
  ctx.stdout.write(`Wrote ${args.outPath} (${result.bytes} bytes, opset ${args.opset}, outputs: ${result.outputs.join(', ')})\n`);
  return 0;
}

/** A finished run's final model, else (an interrupted run) its latest checkpoint; a damaged model names the way out. */
export async function loadRunAgent(runDir: string): Promise<Agent> {
  return loadAgent(await runModelDir(runDir), { numWorkers: 0 });
}

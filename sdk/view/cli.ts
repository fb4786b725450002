// `trpo view`: serve the viewer page for a run folder or an ONNX file until Ctrl-C (or, with --record, write a
// video of it and exit).
import { readFile } from 'node:fs/promises';
import type { CommandContext, ViewArgs } from '../cli/commands.js';
import { policyToOnnxBytes } from '../onnx/export.js';
import { loadRunAgent } from '../trpo/cli.js';
import { startViewServer, type ViewSource } from './server.js';

export async function runView(args: ViewArgs, ctx: CommandContext): Promise<number> {
  const source = await viewSource(args);
  const server = await startViewServer(source, { port: args.port, seed: args.seed, deterministic: args.deterministic, speed: args.speed });
  try {
    if (args.record !== undefined) {
      const { recordEpisodes } = await import('./record.js');
      const result = await recordEpisodes(server.url, args.record, { episodes: args.episodes });
      ctx.stdout.write(`Wrote ${args.record} (${result.episodes} episode(s), ${result.frames} frames, returns ${result.returns.map((r) => r.toFixed(2)).join(', ')})\n`);
      return 0;
    }
    ctx.stdout.write(`trpo view: ${source.envId} (${source.label}) at ${server.url}  (Ctrl-C to stop)\n`);
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    return 0;
  } finally {
    await server.close();
  }
}

/** The env and the policy file: a run's model exported in memory (with its distribution), or the given file. */
async function viewSource(args: ViewArgs): Promise<ViewSource> {
  if (args.source.kind === 'onnx') {
    return { envId: args.source.env, envOptions: {}, policyBytes: await readFile(args.source.policyPath), label: args.source.policyPath };
  }
  const agent = await loadRunAgent(args.source.runDir);
  try {
    const { bytes } = policyToOnnxBytes(await agent.exportSpec(), { stochastic: true });
    return { envId: agent.options.env, envOptions: { ...agent.options.envOptions }, policyBytes: bytes, label: args.source.runDir };
  } finally {
    await agent.close();
  }
}

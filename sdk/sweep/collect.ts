// Gathering a sweep's runs from one or more folders: a sweep folder on one machine, several shard folders
// copied together, or one folder that all shards wrote into. The run list is the union of the folders'
// sweep.json files; each run is taken from the folder where it got furthest (a result beats a failure, which
// beats checkpoints, which beat nothing).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inspectRunDir, runDirOf, type RunState } from './run-dir.js';
import type { PlannedRun } from './spec.js';
import { readSweepFile } from './sweep-file.js';

export interface CollectedRun {
  run: PlannedRun;
  /** The folder the run was taken from; undefined when no folder has it (not started yet). */
  runDir?: string;
  state: RunState | { kind: 'missing' };
}

const RANK: Record<CollectedRun['state']['kind'], number> = { finished: 4, failed: 3, interrupted: 2, new: 1, missing: 0 };

/** Every run listed by the folders' sweep.json files, in the first folder's order, then new ids in order. */
export async function collectRuns(sweepDirs: readonly string[]): Promise<CollectedRun[]> {
  if (sweepDirs.length === 0) throw new Error('no sweep folder given; pass the --out folder(s) of the sweep');
  const byId = new Map<string, CollectedRun>();
  for (const dir of sweepDirs) {
    const file = readSweepFile(dir);
    if (file === undefined) throw new Error(`${dir} is not a sweep folder (no sweep.json); pass the folder given to trpo sweep --out`);
    for (const run of file.runs) {
      const known = byId.get(run.id);
      const candidate = await inspect(run, dir);
      if (known === undefined || RANK[candidate.state.kind] > RANK[known.state.kind]) byId.set(run.id, candidate);
    }
  }
  return [...byId.values()];
}

async function inspect(run: PlannedRun, sweepDir: string): Promise<CollectedRun> {
  const runDir = runDirOf(sweepDir, run.id);
  if (!fs.existsSync(runDir)) return { run, state: { kind: 'missing' } };
  return { run, runDir: path.resolve(runDir), state: await inspectRunDir(runDir) };
}

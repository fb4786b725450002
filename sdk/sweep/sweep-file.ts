// sweep.json: the spec and the full run list of a sweep folder. Every shard writes the same list (shards only
// choose which runs to train), so a report can merge shard folders and knows which runs are still missing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { readJsonFile, SWEEP_FILE, writeJsonAtomically } from './run-dir.js';
import type { PlannedRun, SweepSpec } from './spec.js';

export const SWEEP_FORMAT = 'trpo-wasm-sweep';
export const SWEEP_FORMAT_VERSION = 1;

const plannedRunSchema = z.strictObject({
  id: z.string(),
  env: z.string(),
  seed: z.number().int(),
  totalTimesteps: z.number().int(),
  settingsHash: z.string(),
  settings: z.record(z.string(), z.unknown()),
  settingsLabel: z.string(),
  options: z.record(z.string(), z.unknown()),
  threads: z.number().int(),
});

const sweepFileSchema = z.looseObject({
  format: z.literal(SWEEP_FORMAT),
  formatVersion: z.number().int().max(SWEEP_FORMAT_VERSION, `is newer than this version of trpo-wasm reads (${SWEEP_FORMAT_VERSION}); upgrade trpo-wasm`),
  createdAt: z.string(),
  spec: z.record(z.string(), z.unknown()),
  runs: z.array(plannedRunSchema),
});

export type SweepFile = z.infer<typeof sweepFileSchema>;

export function writeSweepFile(out: string, spec: SweepSpec, runs: PlannedRun[]): void {
  const file: SweepFile = {
    format: SWEEP_FORMAT,
    formatVersion: SWEEP_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    spec: { ...spec },
    runs,
  };
  writeJsonAtomically(path.join(out, SWEEP_FILE), file);
}

/** The folder's sweep.json, or undefined if it has none. */
export function readSweepFile(out: string): SweepFile | undefined {
  const file = path.join(out, SWEEP_FILE);
  return fs.existsSync(file) ? readJsonFile(file, sweepFileSchema) : undefined;
}

// Periodic evaluation (evalFreq, nEvalEpisodes; SB3's EvalCallback): when it runs, what it logs, that it leaves
// training untouched, and that best_model/ holds the agent of the best evaluation.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeEnv } from '../envs/registry.js';
import { resolveTrpoOptions } from '../sdk/trpo/config.js';
import { runEpisodes } from '../sdk/trpo/evaluate.js';
import { evaluationDue, evaluationSeed } from '../sdk/trpo/periodic-eval.js';
import { trainRun } from '../sdk/trpo/run.js';
import { TRPO } from '../sdk/trpo/trpo.js';

type Record_ = Record<string, number | string | boolean | null>;

function readProgress(dir: string): Record_[] {
  return fs.readFileSync(path.join(dir, 'progress.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record_);
}

/** A record without wall-clock keys and without eval/* keys: what training itself computed. */
function trainingPart(r: Record_): Record_ {
  return Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('eval/') && !/fps|_s$|elapsed|remaining|timestamp/.test(k)));
}

describe('periodic evaluation', function () {
  this.timeout(180_000);

  const due = [
    { before: 0, after: 256, freq: 256, want: true },
    { before: 256, after: 512, freq: 1000, want: false },
    { before: 768, after: 1024, freq: 1000, want: true },
    { before: 1000, after: 1256, freq: 1000, want: false },
    { before: 0, after: 5000, freq: 1000, want: true },
    { before: 0, after: 5000, freq: 0, want: false },
  ];
  for (const { before, after, freq, want } of due) {
    it(`is due for steps ${before} → ${after} with evalFreq ${freq}: ${want}`, () => {
      expect(evaluationDue(before, after, freq)).to.equal(want);
    });
  }

  it('validates evalFreq and nEvalEpisodes, naming the field; SB3 defaults otherwise', () => {
    expect(() => resolveTrpoOptions({ evalFreq: -1 })).to.throw(/evalFreq/);
    expect(() => resolveTrpoOptions({ nEvalEpisodes: 0 })).to.throw(/nEvalEpisodes/);
    const o = resolveTrpoOptions({});
    expect([o.evalFreq, o.nEvalEpisodes]).to.deep.equal([0, 5]);
  });

  it('logs eval/* when due, leaves training untouched, keeps the best agent in best_model/', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'trpo-eval-'));
    const base = { env: 'Pendulum-v1', seed: 4, numEnvs: 2, numWorkers: 1, nSteps: 64 };
    try {
      const withEval = await trainRun({
        options: { ...base, evalFreq: 256, nEvalEpisodes: 2 }, totalTimesteps: 5 * 128, out: path.join(root, 'eval'), evalEpisodes: 0,
      });
      await trainRun({ options: base, totalTimesteps: 5 * 128, out: path.join(root, 'plain'), evalEpisodes: 0 });
      const evaluated = readProgress(path.join(root, 'eval'));
      const plain = readProgress(path.join(root, 'plain'));

      // Evaluations after 256 and 512 steps (iterations 2 and 4): SB3's four keys, on those records only.
      expect(evaluated.map((r) => 'eval/mean_reward' in r)).to.deep.equal([false, true, false, true, false]);
      for (const r of evaluated.filter((x) => 'eval/mean_reward' in x)) {
        expect(r['eval/mean_ep_length']).to.equal(200);
        expect(r['eval/std_ep_length']).to.equal(0);
        expect(r['eval/std_reward']).to.be.a('number');
      }
      // Training saw nothing of it: the same numbers with and without evaluation.
      expect(evaluated.map(trainingPart)).to.deep.equal(plain.map(trainingPart));

      // best_model/ holds the agent of the best evaluation: replaying that evaluation's episodes gives its mean.
      const means = evaluated.flatMap((r) => ('eval/mean_reward' in r ? [r['eval/mean_reward'] as number] : []));
      const bestIndex = means.indexOf(Math.max(...means));
      expect(withEval.bestEval).to.deep.equal({ evaluations: 2, meanReturn: means[bestIndex] });
      const best = await TRPO.load(path.join(root, 'eval', 'best_model'));
      const env = await makeEnv('Pendulum-v1');
      try {
        const replay = await runEpisodes(env, (obs) => best.predict(obs), { episodes: 2, seed: evaluationSeed(bestIndex, 2) });
        expect(replay.meanReturn).to.equal(means[bestIndex]);
      } finally {
        env.close();
        await best.close();
      }
      expect(fs.existsSync(path.join(root, 'plain', 'best_model'))).to.equal(false);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

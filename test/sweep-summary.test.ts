import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { aggregateCurves, interpolate, readCurve, type Curve } from '../sdk/sweep/curves.js';
import { parseSweepSpec, planRuns } from '../sdk/sweep/spec.js';
import { writeSummaryFiles } from '../sdk/sweep/summary.js';
import { writeSweepFile } from '../sdk/sweep/sweep-file.js';
import { tempDir, writeRunDir } from './sweep-fixtures.js';

/** Population mean and std by a different route than the code under test: E[x²] − E[x]². */
function reference(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const meanSquare = values.reduce((a, b) => a + b * b, 0) / values.length;
  return { mean, std: Math.sqrt(meanSquare - mean * mean) };
}

describe('sweep summary and learning curves', () => {
  let out: string;
  beforeEach(() => { out = tempDir('sweep-summary'); });
  afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

  it('tabulates each run and the mean ± std over the finished seeds of each (env, settings)', async () => {
    const spec = parseSweepSpec({ envs: ['Hopper-v5', 'Swimmer-v5'], seeds: '0-3', timesteps: 1000, grid: { gamma: [0.99, 0.995] } });
    const runs = planRuns(spec);
    writeSweepFile(out, spec, runs);
    // Hopper, gamma 0.99: seeds 0-2 finished with returns 100, 200, 400 (seed 3 failed); gamma 0.995: seed 0 only.
    const returns = [100, 200, 400];
    const walls = [30, 33, 45];
    const rates = [5000, 4800, 4100];
    for (let seed = 0; seed < 3; seed++) {
      await writeRunDir(path.join(out, 'runs', runs[seed].id), {
        env: 'Hopper-v5', seed, totalTimesteps: 1000, curve: [[500, 1], [1000, returns[seed] / 2]],
        result: { meanReturn: returns[seed], stdReturn: 3, wallTimeS: walls[seed], envStepsPerS: rates[seed] },
      });
    }
    const failedDir = path.join(out, 'runs', runs[3].id);
    await writeRunDir(failedDir, { env: 'Hopper-v5', seed: 3, totalTimesteps: 1000, curve: [[500, -7]] });
    fs.writeFileSync(path.join(failedDir, 'failed.json'), JSON.stringify({
      status: 'failed', runId: runs[3].id, error: 'boom, "quoted"\nsecond line', exitCode: 1, signal: null, failedAt: new Date().toISOString(),
    }));
    await writeRunDir(path.join(out, 'runs', runs[4].id), { env: 'Hopper-v5', seed: 0, totalTimesteps: 1000, result: { meanReturn: -5 } });
    await writeRunDir(path.join(out, 'runs', runs[5].id), { env: 'Hopper-v5', seed: 1, totalTimesteps: 1000, curve: [[500, 2]], checkpoint: true });

    const summary = await writeSummaryFiles([out], out);
    expect(summary.runs).to.have.length(16);
    expect(summary.runs.slice(0, 6).map((r) => r.status)).to.deep.equal(['finished', 'finished', 'finished', 'failed', 'finished', 'interrupted']);
    expect(summary.runs[0]).to.deep.include({
      env: 'Hopper-v5', seed: 0, settingsLabel: 'gamma=0.99', timesteps: 1000, evalMeanReturn: 100, evalStdReturn: 3,
      evalEpisodes: 5, wallTimeS: 30, envStepsPerS: 5000, lastEpRewMean: 50,
    });
    expect(summary.runs[3]).to.deep.include({ status: 'failed', timesteps: 500, lastEpRewMean: -7, error: 'boom, "quoted"\nsecond line' });
    expect(summary.runs[8]).to.deep.include({ env: 'Swimmer-v5', status: 'pending', timesteps: 0 });

    expect(summary.groups.map((g) => [g.env, g.settingsLabel, g.runs, g.finished])).to.deep.equal([
      ['Hopper-v5', 'gamma=0.99', 4, 3], ['Hopper-v5', 'gamma=0.995', 4, 1],
      ['Swimmer-v5', 'gamma=0.99', 4, 0], ['Swimmer-v5', 'gamma=0.995', 4, 0],
    ]);
    const [g0, g1, g2] = summary.groups;
    for (const [stat, values] of [[g0.evalReturn, returns], [g0.wallTimeS, walls], [g0.envStepsPerS, rates]] as const) {
      const ref = reference([...values]);
      expect(stat?.n).to.equal(3);
      expect(stat?.mean).to.be.closeTo(ref.mean, 1e-9);
      expect(stat?.std).to.be.closeTo(ref.std, 1e-9);
    }
    expect(g1.evalReturn).to.deep.equal({ mean: -5, std: 0, n: 1 });
    expect(g2.evalReturn).to.equal(undefined);

    // CSV: a header, one line per run, cells with commas/quotes/newlines quoted.
    const csv = fs.readFileSync(path.join(out, 'summary.csv'), 'utf8');
    const lines = csv.split('\n');
    expect(lines[0]).to.equal('id,env,seed,settingsHash,settingsLabel,status,totalTimesteps,timesteps,evalMeanReturn,evalStdReturn,evalEpisodes,wallTimeS,envStepsPerS,lastEpRewMean,error');
    expect(lines[1]).to.equal(`${runs[0].id},Hopper-v5,0,${runs[0].settingsHash},gamma=0.99,finished,1000,1000,100,3,5,30,5000,50,`);
    expect(csv).to.contain(`,failed,1000,500,,,,,,-7,"boom, ""quoted""\nsecond line"\n`);
    const groups = fs.readFileSync(path.join(out, 'summary-groups.csv'), 'utf8').split('\n');
    expect(groups[0]).to.equal('env,settingsHash,settingsLabel,runs,finished,evalReturnMean,evalReturnStd,wallTimeSMean,wallTimeSStd,envStepsPerSMean,envStepsPerSStd');
    expect(groups[1].split(',').slice(0, 6)).to.deep.equal(['Hopper-v5', runs[0].settingsHash, 'gamma=0.99', '4', '3', String(reference(returns).mean)]);
    expect(groups[3]).to.equal(`Swimmer-v5,${runs[8].settingsHash},gamma=0.99,4,0,,,,,,`);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')).groups).to.have.length(4);
  });

  it('refuses a folder without sweep.json and names a broken result.json', async () => {
    try {
      await writeSummaryFiles([out], out);
      expect.fail('expected an error');
    } catch (error) {
      expect((error as Error).message).to.match(/is not a sweep folder \(no sweep\.json\); pass the folder given to trpo sweep --out/);
    }
    const spec = parseSweepSpec({ envs: ['Hopper-v5'], seeds: [0], timesteps: 10 });
    const [run] = planRuns(spec);
    writeSweepFile(out, spec, [run]);
    fs.mkdirSync(path.join(out, 'runs', run.id), { recursive: true });
    fs.writeFileSync(path.join(out, 'runs', run.id, 'result.json'), '{"status": "finished"}');
    try {
      await writeSummaryFiles([out], out);
      expect.fail('expected an error');
    } catch (error) {
      expect((error as Error).message).to.match(/Invalid file .*result\.json:\n {2}- env: got nothing/);
    }
  });

  it('reads a learning curve from progress.jsonl, skipping iterations without a return', async () => {
    const dir = path.join(out, 'run');
    await writeRunDir(dir, { env: 'Hopper-v5', seed: 0, totalTimesteps: 30, curve: [[10, 1], [20, NaN], [30, 3]] });
    expect(readCurve(dir)).to.deep.equal({ x: [10, 30], y: [1, 3] });
    expect(readCurve(path.join(out, 'nothing-here'))).to.deep.equal({ x: [], y: [] });
  });

  it('interpolates linearly inside a curve and never extrapolates', () => {
    const curve: Curve = { x: [0, 10, 30], y: [0, 100, 50] };
    const cases: Array<[number, number | undefined]> = [[0, 0], [5, 50], [10, 100], [20, 75], [30, 50], [-1, undefined], [31, undefined]];
    for (const [at, expected] of cases) expect(interpolate(curve, at), `at ${at}`).to.equal(expected);
    expect(interpolate({ x: [], y: [] }, 0)).to.equal(undefined);
  });

  it('averages seeds on a common grid: mean ± std over the seeds covering each point', () => {
    // Two seeds logged at different timesteps; the second stops early.
    const a: Curve = { x: [0, 100, 200], y: [0, 100, 200] }; // y = x
    const b: Curve = { x: [0, 50, 100], y: [10, 60, 110] }; // y = x + 10, until 100
    const agg = aggregateCurves([a, b, { x: [], y: [] }], 5);
    expect(agg.x).to.deep.equal([0, 50, 100, 150, 200]);
    expect(agg.n).to.deep.equal([2, 2, 2, 1, 1]);
    expect(agg.mean).to.deep.equal([5, 55, 105, 150, 200]);
    expect(agg.std).to.deep.equal([5, 5, 5, 0, 0]);
    // Two seeds x and x + 10: every resample's mean lies in [x, x + 10]; one seed: the interval is the point.
    agg.x.forEach((x, i) => {
      expect(agg.meanCi.low[i]).to.be.within(x, agg.mean[i]);
      expect(agg.meanCi.high[i]).to.be.within(agg.mean[i], x + (agg.n[i] === 2 ? 10 : 0));
    });
    expect(agg.iqm).to.deep.equal(agg.mean); // ⌊2/4⌋ = 0 trimmed
    expect(agg.iqmCi.low.slice(3)).to.deep.equal([150, 200]);
    expect(aggregateCurves([])).to.deep.equal({ x: [], mean: [], std: [], n: [], meanCi: { low: [], high: [] }, iqm: [], iqmCi: { low: [], high: [] } });
    expect(aggregateCurves([{ x: [7], y: [3] }]).x).to.deep.equal([7]);
  });
});

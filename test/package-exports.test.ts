// The package root, imported by name as a user would, exports the documented API.
import { expect } from 'chai';

describe("import from 'trpo-wasm'", () => {
  it('exports the agent, envs, kernels classes, ONNX, sweeps and helpers', async () => {
    const packageName = 'trpo-wasm'; // a variable: resolved at run time through package.json "exports", like a user's import
    const m = (await import(packageName)) as Record<string, unknown>;
    for (const name of [
      'TRPO', 'trainRun', 'resolveTrpoOptions', 'makeEnv', 'listEnvs', 'makeVecEnv', 'GaussianMlpPolicy',
      'CategoricalMlpPolicy', 'MlpValueFunction', 'computeGae', 'cg', 'exportOnnx', 'loadOnnxPolicy', 'sweep',
      'buildReport', 'RunningMeanStd', 'version', 'registerEnv', 'checkEnv', 'boxSpace', 'discreteSpace',
    ]) {
      expect(m[name], name).to.not.equal(undefined);
    }
    expect(m.version).to.match(/^\d+\.\d+\.\d+/);
  });
});

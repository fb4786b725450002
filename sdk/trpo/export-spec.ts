// The one place an agent's policy becomes a PolicyExportSpec (what ONNX export consumes): TRPO, CEM and CMA-ES
// all export the same networks the same way, with the env's control period and labels for the robot.
import type { Env } from '../../envs/types.js';
import type { PolicyExportSpec } from '../onnx/index.js';
import type { AgentPolicy } from './networks.js';
import type { ObsNormStats } from '../normalization/obs-normalizer.js';

export function policyExportSpec(
  policy: AgentPolicy,
  env: Env,
  o: { activation: PolicyExportSpec['activation']; obsNorm: ObsNormStats | undefined; trainingTimesteps: number; configHash: string },
): PolicyExportSpec {
  const box = env.actionSpace.type === 'box' ? env.actionSpace : undefined;
  return {
    kind: policy.kind,
    obsDim: env.observationSpace.shape[0],
    actDim: box ? box.shape[0] : (env.actionSpace as { n: number }).n,
    activation: o.activation,
    layers: policy.layers(),
    logStd: policy.kind === 'gaussian' ? policy.logStd() : undefined,
    obsNorm: o.obsNorm,
    actionLow: box?.low,
    actionHigh: box?.high,
    dt: env.dt,
    observationLabels: env.observationLabels,
    actionLabels: env.actionLabels,
    metadata: { envId: env.id, trainingTimesteps: o.trainingTimesteps, configHash: o.configHash },
  };
}

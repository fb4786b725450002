// The one place an agent's policy becomes a PolicyExportSpec (what ONNX export consumes): TRPO, CEM and CMA-ES
// all export the same networks the same way, with the env's control period and labels for the robot.
import type { Env } from '../../envs/types.js';
import type { PolicyExportSpec } from '../onnx/index.js';
import type { AgentPolicy } from './networks.js';
import type { ObsNormStats } from '../normalization/obs-normalizer.js';
import type { MjcfSource } from '../../envs/mujoco-runtime.js';
import { modelSha256 } from '../envs/mjcf-files.js';

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
    conv: policy.conv(),
    logStd: policy.kind === 'gaussian' ? policy.logStd() : undefined,
    obsNorm: o.obsNorm,
    actionLow: box?.low,
    actionHigh: box?.high,
    dt: env.dt > 0 ? env.dt : undefined, // a custom env without dt has 0: no control period to write
    observationLabels: env.observationLabels,
    actionLabels: env.actionLabels,
    // MJCF robots (MjcfEnv) carry their model: its hash lets the robot side check it runs the right policy.
    modelSha256: modelOf(env) && modelSha256(modelOf(env)!),
    metadata: { envId: env.id, trainingTimesteps: o.trainingTimesteps, configHash: o.configHash },
  };
}

/** The MJCF model of a custom MuJoCo robot (MjcfEnv), if the env is one. */
function modelOf(env: Env): MjcfSource | undefined {
  return (env as Env & { modelSource?: MjcfSource }).modelSource;
}

// Observation and action labels of every built-in env: one per index, in the order the env writes them, each
// naming a quantity and its unit; option variants that change the observation change the labels with it.

import { expect } from 'chai';
import { listEnvs, makeEnv } from '../envs/registry.js';
import type { Env } from '../envs/types.js';

const VARIANTS: [id: string, options: Record<string, unknown>][] = [
  ...listEnvs().map((id): [string, Record<string, unknown>] => [id, {}]),
  ['Hopper-v5', { excludeCurrentPositionsFromObservation: false }],
  ['Swimmer-v5', { excludeCurrentPositionsFromObservation: false }],
  ['Ant-v5', { includeCfrcExtInObservation: false }],
  ['Humanoid-v5', { includeCinertInObservation: false, includeQfrcActuatorInObservation: false }],
];

const UNIT = /\((m|m\/s|rad|rad\/s|N|N·m|kg|kg·m|kg·m²|unitless)\)/;

function actionCount(env: Env): number {
  return env.actionSpace.type === 'box' ? env.actionSpace.shape[0] : env.actionSpace.n;
}

describe('env labels', () => {
  for (const [id, options] of VARIANTS) {
    it(`${id} ${JSON.stringify(options)}: one distinct label with a unit per observation and action index`, async () => {
      const env = await makeEnv(id, options);
      try {
        const obs = env.observationLabels!;
        const act = env.actionLabels!;
        expect(obs).to.have.length(env.observationSpace.shape[0]);
        expect(act).to.have.length(actionCount(env));
        expect(new Set(obs).size, 'observation labels are distinct').to.equal(obs.length);
        expect(new Set(act).size, 'action labels are distinct').to.equal(act.length);
        for (const label of obs) expect(label).to.match(UNIT);
        if (env.actionSpace.type === 'box') for (const label of act) expect(label).to.match(/\((N|N·m)\)/);
      } finally {
        env.close();
      }
    });
  }

  // Spot checks against the Gymnasium v5 observation layouts (shared/specs/README.md).
  const SPOTS: [id: string, options: Record<string, unknown>, index: number, pattern: RegExp][] = [
    ['Hopper-v5', {}, 0, /^qpos\[1\] torso position along z, slide joint rootz \(m\)$/],
    ['Hopper-v5', {}, 1, /^qpos\[2\] torso angle about y, hinge joint rooty \(rad\)$/],
    ['Hopper-v5', {}, 8, /^qvel\[3\] thigh angular velocity about -y, hinge joint thigh_joint \(rad\/s\), clipped to ±10$/],
    ['Hopper-v5', { excludeCurrentPositionsFromObservation: false }, 0, /^qpos\[0\] torso position along x/],
    ['Ant-v5', {}, 0, /^qpos\[2\] torso z position, free joint/],
    ['Ant-v5', {}, 27, /^cfrc_ext\[6\] torso external torque x \(N·m\), clipped to \[-1, 1\]$/],
    ['Humanoid-v5', {}, 45, /^cinert\[10\] torso inertia Ixx \(kg·m²\)$/],
    ['Reacher-v5', {}, 0, /^cos\(qpos\[0\] .* hinge joint joint0\) \(unitless\)$/],
    ['Reacher-v5', {}, 8, /^fingertip − target, world x \(m\)$/],
    ['InvertedDoublePendulum-v5', {}, 8, /^qfrc_constraint\[0\] slide joint slider force \(N\), clipped to ±10$/],
    ['CartPole-v1', {}, 2, /^pole angle from upright \(rad\)$/],
  ];
  for (const [id, options, index, pattern] of SPOTS) {
    it(`${id} observation ${index} is ${pattern.source}`, async () => {
      const env = await makeEnv(id, options);
      expect(env.observationLabels![index]).to.match(pattern);
      env.close();
    });
  }

  it('actions name the actuator, the joint, the gear and the control range', async () => {
    const env = await makeEnv('Hopper-v5');
    expect(env.actionLabels).to.deep.equal([
      'ctrl[0] thigh_joint motor: torque on joint thigh_joint = 200 × ctrl (N·m), ctrl in [-1, 1]',
      'ctrl[1] leg_joint motor: torque on joint leg_joint = 200 × ctrl (N·m), ctrl in [-1, 1]',
      'ctrl[2] foot_joint motor: torque on joint foot_joint = 200 × ctrl (N·m), ctrl in [-1, 1]',
    ]);
    expect(env.dt).to.equal(0.008);
    env.close();
  });
});

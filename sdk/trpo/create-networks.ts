// Builds the agent's networks on the wasm kernel classes: a Gaussian MLP policy for Box actions, a categorical
// one for Discrete actions, an MLP value function, and GAE. Seeds: the policy and the value function draw
// their initial weights from their own streams of the run's seed.
import { clipToBox } from '../../envs/spaces.js';
import type { BoxSpace, Space } from '../../envs/types.js';
import { CategoricalMlpPolicy, GaussianMlpPolicy, MlpValueFunction, computeGae } from '../policies/index.js';
import type { Rng } from '../rng.js';
import type { TrpoOptions } from './config.js';
import type { Architecture } from './architecture.js';
import type { ConvOptions } from '../policies/policy.js';
import type { AgentPolicy, AgentValue, GaeInputs, Networks, PolicyBatch } from './networks.js';

type PolicyNetworkOptions = Pick<TrpoOptions, 'policyHiddenSizes' | 'activation' | 'seed' | 'logStdInit'>;

/**
 * The policy alone (CEM and CMA-ES search its parameters). `networkParameters` counts the MLP weights and
 * biases; a Gaussian policy's log-std follows them in the parameter vector.
 */
export function createPolicy(o: PolicyNetworkOptions, observationSpace: BoxSpace, actionSpace: Space): { policy: AgentPolicy; networkParameters: number } {
  const raw = rawPolicy(o, observationSpace, actionSpace);
  return { policy: adaptPolicy(raw, actionSpace), networkParameters: raw.net.networkParameters };
}

function rawPolicy(o: PolicyNetworkOptions, observationSpace: BoxSpace, actionSpace: Space, conv?: ConvOptions): GaussianMlpPolicy | CategoricalMlpPolicy {
  const common = { obsDim: observationSpace.shape[0], hiddenSizes: o.policyHiddenSizes, activation: o.activation, seed: o.seed, conv };
  return actionSpace.type === 'box'
    ? new GaussianMlpPolicy({ ...common, actionDim: actionSpace.shape[0], logStdInit: o.logStdInit })
    : new CategoricalMlpPolicy({ ...common, numActions: actionSpace.n });
}

export async function createNetworks(o: TrpoOptions, arch: Architecture, observationSpace: BoxSpace, actionSpace: Space): Promise<Networks> {
  const obsDim = observationSpace.shape[0];
  const raw = rawPolicy({ ...o, policyHiddenSizes: arch.policyHiddenSizes }, observationSpace, actionSpace, arch.policyConv);
  const value = new MlpValueFunction({ obsDim, hiddenSizes: arch.valueHiddenSizes, activation: o.activation, seed: o.seed, conv: arch.valueConv });
  return {
    policy: adaptPolicy(raw, actionSpace),
    value: adaptValue(value),
    createBatch: (capacity, helper) => raw.createBatch(capacity, { helper }) as unknown as PolicyBatch,
    gae: (x: GaeInputs) => computeGae(x),
  };
}

function adaptPolicy(p: GaussianMlpPolicy | CategoricalMlpPolicy, space: Space): AgentPolicy {
  const gaussian = p instanceof GaussianMlpPolicy ? p : undefined;
  const categorical = p instanceof CategoricalMlpPolicy ? p : undefined;
  const net = p.net;
  return {
    kind: gaussian ? 'gaussian' : 'categorical',
    get numParameters() {
      return p.numParameters;
    },
    getParameters: () => p.getParameters(),
    setParameters: (theta) => p.setParameters(theta),
    forwardHead: (obs, n) => (gaussian ? gaussian.forward(obs.subarray(0, n * p.obsDim)).mean : categorical!.forward(obs.subarray(0, n * p.obsDim)).logits),
    logStd: () => (gaussian ? gaussian.logStd : new Float64Array(0)),
    actionProbabilities: (obs, n) => categorical!.forward(obs.subarray(0, n * p.obsDim)).probs,
    sampleAction: (obs, out, rng) => {
      const { action } = gaussian ? gaussian.act(obs, { rng }) : categorical!.act(obs, { rng });
      out.set(action);
    },
    logProb: (obs, actions, n) => p.logProb(obs.subarray(0, n * p.obsDim), actions),
    layers: () => {
      const theta = p.getParameters();
      return net.layers.map((l) => ({
        inDim: l.inDim,
        outDim: l.outDim,
        weight: theta.slice(l.weightOffset, l.weightOffset + l.outDim * l.inDim),
        bias: theta.slice(l.weightOffset + l.outDim * l.inDim, l.weightOffset + l.outDim * (l.inDim + 1)),
      }));
    },
    conv: () => {
      const image = net.shape.conv?.image;
      if (!image) return undefined;
      const theta = p.getParameters();
      return {
        image: { ...image },
        layers: net.convLayers.map((c) => {
          const size = c.outC * c.kernel * c.kernel * c.inC;
          return {
            filters: c.outC, kernel: c.kernel, stride: c.stride, padding: c.padding,
            weight: theta.slice(c.weightOffset, c.weightOffset + size), bias: theta.slice(c.weightOffset + size, c.weightOffset + size + c.outC),
          };
        }),
      };
    },
    actions: (obs, _n, _space, deterministic, rng?: Rng) => actionsFor(p, space, obs, deterministic, rng),
  };
}

/** Deterministic: Gaussian mean clipped to the action bounds, categorical argmax; else a sample (unclipped). */
function actionsFor(p: GaussianMlpPolicy | CategoricalMlpPolicy, space: Space, obs: Float64Array, deterministic: boolean, rng?: Rng): Float64Array {
  if (!deterministic && !rng) throw new TypeError('predict: a stochastic prediction needs an rng');
  const { action } = p.act(obs, deterministic ? { deterministic: true } : { rng });
  const out = Float64Array.from(action);
  return deterministic && space.type === 'box' ? clipToBox(space, out, out) : out;
}

function adaptValue(v: MlpValueFunction): AgentValue {
  return {
    predict: (obs, n) => v.forward(obs.subarray(0, n * v.obsDim)),
    fit: (obs, targets, n, o) => v.fit(obs.subarray(0, n * v.obsDim), targets.subarray(0, n), o).loss,
    getState: () => {
      const adam = v.getOptimizerState();
      return { params: v.getParameters(), adam_m: adam.m, adam_v: adam.v, adam_step: Float64Array.of(adam.step) };
    },
    setState: (s) => {
      v.setParameters(s.params);
      v.setOptimizerState({ step: s.adam_step[0], m: s.adam_m, v: s.adam_v });
    },
  };
}

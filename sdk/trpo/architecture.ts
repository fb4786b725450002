// Which networks the agent trains: MLPs (policyHiddenSizes, valueHiddenSizes), or CNNs for image observations
// (`policy: { kind: 'cnn', … }`): conv layers in front of dense ones, run by the same kernels (assembly/conv.ts).
// One place resolves the option against the env's observation image, for the trainer's networks and the
// rollout workers' copy of the policy alike.
import { z } from 'zod';
import type { ConvOptions } from '../policies/policy.js';

const positiveInt = z.number().int().positive();
const imageSchema = z.object({ height: positiveInt, width: positiveInt, channels: positiveInt }).strict();
const convLayerSchema = z
  .object({ filters: positiveInt, kernel: positiveInt, stride: positiveInt.default(1), padding: z.number().int().min(0).default(0) })
  .strict();

/**
 * CNN presets for 10 × 10 images. `paper`: the TRPO paper's Atari network (two conv layers of 16 filters with
 * stride 2, one dense layer of 20 units); its kernel size is chosen here as 3 × 3 with padding 1, which fits a
 * 10 × 10 grid (10 → 5 → 3). `minatar`: the network of MinAtar's own baselines (one conv layer of 16 3 × 3 filters,
 * stride 1, one dense layer of 128 units).
 */
export const CNN_PRESETS = {
  paper: { conv: [{ filters: 16, kernel: 3, stride: 2, padding: 1 }, { filters: 16, kernel: 3, stride: 2, padding: 1 }], hidden: [20] },
  minatar: { conv: [{ filters: 16, kernel: 3, stride: 1, padding: 0 }], hidden: [128] },
} as const;

export const policyArchitectureSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('mlp') }).strict(),
  z.object({
    kind: z.literal('cnn'),
    /** A named architecture; `conv` and `hidden` override its parts. Default 'paper'. */
    preset: z.enum(['paper', 'minatar']).default('paper'),
    conv: z.array(convLayerSchema).min(1).max(8).optional(),
    hidden: z.array(positiveInt).max(8).optional(),
    /** The observation's image shape (NHWC); defaults to the env's observationImage. */
    image: imageSchema.optional(),
    /** The value function's network: the same CNN shape (own parameters), or the MLP of valueHiddenSizes. */
    value: z.enum(['cnn', 'mlp']).default('cnn'),
  }).strict(),
]);

export type PolicyArchitecture = z.output<typeof policyArchitectureSchema>;

/** Resolved network shapes: dense widths, and conv layers when the network is a CNN. */
export interface Architecture {
  policyHiddenSizes: number[];
  valueHiddenSizes: number[];
  policyConv?: ConvOptions;
  valueConv?: ConvOptions;
}

export type ImageShape = z.output<typeof imageSchema>;

export function resolveArchitecture(
  o: { env: string; policy?: PolicyArchitecture; policyHiddenSizes: number[]; valueHiddenSizes: number[] },
  envImage: ImageShape | undefined,
  obsDim: number,
): Architecture {
  const p = o.policy;
  if (!p || p.kind === 'mlp') return { policyHiddenSizes: o.policyHiddenSizes, valueHiddenSizes: o.valueHiddenSizes };
  const image = p.image ?? envImage;
  if (!image) {
    throw new RangeError(`policy.kind is 'cnn' but ${o.env} has no image observations; give policy.image { height, width, channels } with height·width·channels = ${obsDim}`);
  }
  if (image.height * image.width * image.channels !== obsDim) {
    throw new RangeError(`policy.image is ${image.height}×${image.width}×${image.channels} = ${image.height * image.width * image.channels} numbers but ${o.env} observations have ${obsDim}`);
  }
  const preset = CNN_PRESETS[p.preset];
  const conv: ConvOptions = { image, layers: (p.conv ?? preset.conv).map((l) => ({ ...l })) };
  const hidden = [...(p.hidden ?? preset.hidden)];
  return p.value === 'cnn'
    ? { policyHiddenSizes: hidden, valueHiddenSizes: hidden, policyConv: conv, valueConv: conv }
    : { policyHiddenSizes: hidden, valueHiddenSizes: o.valueHiddenSizes, policyConv: conv };
}

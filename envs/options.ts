// zod building blocks for the env constructor options (Gymnasium's keyword arguments in camelCase).
// Every env declares a strict object schema from these, so an unknown key, a wrong type or a bad range fails
// with a message naming the field, the value and what is allowed (see sdk/validation.ts).
import { z } from 'zod';
import { parseOrThrow } from '../sdk/validation.js';

/** Any number except NaN: range bounds may be ±Infinity (e.g. Hopper's healthyZRange upper bound). */
const extendedReal = z.custom<number>((v) => typeof v === 'number' && !Number.isNaN(v), {
  message: 'expected a number (±Infinity allowed)',
});

/** An open interval [low, high] given as a pair with low < high. */
export function range(defaultValue: readonly [number, number]) {
  return z
    .tuple([extendedReal, extendedReal])
    .refine(([low, high]) => low < high, { message: 'expected [low, high] with low < high' })
    .default([defaultValue[0], defaultValue[1]]);
}

/** A finite weight of a reward term (any sign: a negative forward weight rewards walking backwards). */
export function weight(defaultValue: number) {
  return z.number().default(defaultValue);
}

export function nonNegative(defaultValue: number) {
  return z.number().nonnegative().default(defaultValue);
}

export function positiveInteger(defaultValue: number) {
  return z.number().int().positive().default(defaultValue);
}

export function flag(defaultValue: boolean) {
  return z.boolean().default(defaultValue);
}

/** Options every MuJoCo env takes: physics steps per env step and the time limit. */
export function mujocoCommon(frameSkip: number, maxEpisodeSteps: number) {
  return { frameSkip: positiveInteger(frameSkip), maxEpisodeSteps: positiveInteger(maxEpisodeSteps) };
}

/** Parse constructor options of env `id`; `undefined` means all defaults. */
export function parseEnvOptions<S extends z.ZodType>(schema: S, options: unknown, id: string): z.output<S> {
  return parseOrThrow(schema, options ?? {}, `${id} options`);
}

/** Parse `reset({ options })` of env `id`. */
export function parseResetOptions<S extends z.ZodType>(schema: S, options: unknown, id: string): z.output<S> {
  return parseOrThrow(schema, options ?? {}, `${id} reset options`);
}

/** Envs without reset options still reject unknown ones rather than ignore a typo. */
export const noResetOptions = z.strictObject({});

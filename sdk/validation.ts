// One way to turn zod failures into errors a user can act on: every problem names the field, the value that
// was given and what is allowed, e.g.
//   Invalid TRPO options:
//     - nSteps: got -5; Too small: expected number to be >0
//     - foo: unknown option (allowed: nSteps, numEnvs, …)
import { z } from 'zod';

export class ValidationError extends Error {
  constructor(message: string, readonly issues: readonly string[]) {
    super(message);
    this.name = 'ValidationError';
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  try {
    const s = JSON.stringify(value);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(value);
  }
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown, allowedKeys?: readonly string[]): string[] {
  const where = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys ? ` (allowed: ${allowedKeys.join(', ')})` : '';
    return issue.keys.map((k) => `${where ? `${where}.` : ''}${k}: unknown option${allowed}`);
  }
  return [`${where || '(root)'}: got ${show(valueAt(input, issue.path))}; ${issue.message}`];
}

/**
 * Parse `input` with `schema`; on failure throw a ValidationError whose message lists every problem.
 * `what` names the thing being validated ("TRPO options", "Hopper-v5 options", "sweep spec file x.json").
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const allowedKeys = schema instanceof z.ZodObject ? Object.keys(schema.shape) : undefined;
  const lines = result.error.issues.flatMap((issue) => describeIssue(issue, input, allowedKeys));
  throw new ValidationError(`Invalid ${what}:\n${lines.map((l) => `  - ${l}`).join('\n')}`, lines);
}

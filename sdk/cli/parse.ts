// The command-line layer shared by every subcommand: flag tables, tokenizing with node:util parseArgs,
// usage errors that name the flag, generated --help text, and zod schemas for flag values.
//
// parseArgs runs non-strict with tokens so that every check (unknown flag, missing value, value given to a
// switch, flag given twice) is ours and its message names the flag and lists the valid ones.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { isModuleRef } from '../envs/ref.js';

/** A bad command line: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  constructor(message: string, readonly command?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface FlagSpec {
  /** 'string' takes a value (`--env Hopper-v5` or `--env=Hopper-v5`); 'boolean' is a switch. */
  type: 'string' | 'boolean';
  /** Placeholder for the value in --help, e.g. 'N', 'DIR'. */
  value?: string;
  description: string;
  /** Shown in --help as "(default: …)". */
  defaultText?: string;
}

export interface PositionalSpec {
  name: string;
  description: string;
  /** The last positional only: takes all remaining arguments. */
  variadic?: boolean;
}

export interface ParsedCommandLine {
  /** Raw values by flag name (kebab-case, without dashes). */
  values: Record<string, string | boolean>;
  positionals: string[];
  help: boolean;
}

/** Split argv by the command's flag table; every problem is a UsageError naming the flag. */
export function tokenize(
  command: string,
  flags: Record<string, FlagSpec>,
  positionals: readonly PositionalSpec[],
  argv: readonly string[],
): ParsedCommandLine {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, spec] of Object.entries(flags)) options[name] = { type: spec.type };
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, string | boolean> = {};
  const rest: string[] = [];
  // Asking for help wins over mistakes elsewhere on the line.
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help')) return { values, positionals: rest, help: true };
  const valid = () => `valid flags for 'trpo ${command}': ${Object.keys(flags).map((f) => `--${f}`).join(', ')}, --help`;
  for (const token of tokens) {
    if (token.kind === 'positional') {
      rest.push(token.value);
      continue;
    }
    if (token.kind !== 'option') continue; // the '--' terminator
    const spec = flags[token.name];
    if (spec === undefined) throw new UsageError(`unknown flag ${token.rawName}; ${valid()}`, command);
    const flag = `--${token.name}`;
    if (token.name in values) throw new UsageError(`${flag} is given twice; give it once`, command);
    if (spec.type === 'boolean') {
      if (token.inlineValue) throw new UsageError(`${flag} is a switch and takes no value (got ${flag}=${token.value})`, command);
      values[token.name] = true;
      continue;
    }
    const usage = `${flag} ${spec.value ?? 'VALUE'}`;
    // A following flag is not a value: `--out --seed 1` means the value of --out was forgotten.
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-'))) {
      throw new UsageError(`${flag} needs a value: ${usage}`, command);
    }
    values[token.name] = token.value;
  }
  if (rest.length > positionals.length && !positionals.at(-1)?.variadic) {
    const expected = positionals.length === 0 ? 'no arguments besides flags' : positionals.map((p) => p.name).join(' ');
    throw new UsageError(`unexpected argument "${rest[positionals.length]}": 'trpo ${command}' takes ${expected}`, command);
  }
  return { values, positionals: rest, help: false };
}

/** Validate raw flag values with `schema`; the first problem becomes a UsageError naming flag and value. */
export function validateFlags<S extends z.ZodType>(command: string, schema: S, values: Record<string, string | boolean>): z.output<S> {
  const result = schema.safeParse(values);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = String(issue.path[0] ?? '');
  const raw = values[key];
  const shown = typeof raw === 'string' ? ` ${JSON.stringify(raw)}` : '';
  throw new UsageError(`--${key}${shown}: ${issue.message}`, command);
}

/** --help text: usage line, description, flags with value placeholders and defaults. */
export function formatHelp(
  command: string,
  summary: string,
  flags: Record<string, FlagSpec>,
  positionals: readonly PositionalSpec[] = [],
  notes: readonly string[] = [],
): string {
  const rows: Array<[string, string]> = [
    ...positionals.map((p): [string, string] => [p.name, p.description]),
    ...Object.entries(flags).map(([name, f]): [string, string] => [
      `--${name}${f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : ''}`,
      f.defaultText === undefined ? f.description : `${f.description} (default: ${f.defaultText})`,
    ]),
    ['-h, --help', 'show this help'],
  ];
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const lines = [
    `Usage: trpo ${command}${positionals.map((p) => ` ${p.name}`).join('')} [flags]`,
    '',
    summary,
    '',
    positionals.length > 0 ? 'Arguments and flags:' : 'Flags:',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`),
  ];
  if (notes.length > 0) lines.push('', ...notes);
  return lines.join('\n') + '\n';
}

// ——— value schemas (raw strings in, typed values out) ———

/** An integer ≥ `min`; accepts 1000000, 1_000_000 and 1e6. */
export function intFlag(min: number, example: string, max = Infinity) {
  const wanted = max !== Infinity ? `an integer from ${min} to ${max}`
    : min === 1 ? 'a positive integer' : min === 0 ? 'an integer >= 0' : `an integer >= ${min}`;
  return z.string().transform((raw, ctx) => {
    const n = Number(raw.replaceAll('_', ''));
    if (raw.trim() === '' || !Number.isSafeInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `expected ${wanted}, e.g. ${example}` });
      return z.NEVER;
    }
    return n;
  });
}

const ENV_ID = /^[A-Za-z][A-Za-z0-9]*-v\d+$/;
const ENV_HINT = 'expected an environment id like Hopper-v5, or your env module like ./my-env.mjs#createEnv';
/** An env id, or a module file of your own ('./my-env.mjs', './my-env.mjs#createEnv'). */
export const envIdFlag = z.string().refine((s) => ENV_ID.test(s) || isModuleRef(s), ENV_HINT);

/** "Hopper-v5,Walker2d-v5" → ['Hopper-v5', 'Walker2d-v5']. */
export const envListFlag = z.string().transform((raw, ctx) => {
  const ids = raw.split(',').map((s) => s.trim());
  const bad = ids.find((id) => !ENV_ID.test(id) && !isModuleRef(id));
  if (bad !== undefined) {
    ctx.addIssue({ code: 'custom', message: `"${bad}" is not an environment id; expected a comma-separated list like Hopper-v5,Walker2d-v5 (or module files like ./my-env.mjs#createEnv)` });
    return z.NEVER;
  }
  return ids;
});

/** "0-4" → [0,1,2,3,4]; "0,3,7" and "0-2,10" work too; no duplicates. */
export const seedListFlag = z.string().transform((raw, ctx) => {
  const seeds: number[] = [];
  for (const part of raw.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    const from = m ? Number(m[1]) : NaN;
    const to = m?.[2] === undefined ? from : Number(m[2]);
    if (!m || to < from || !Number.isSafeInteger(to)) {
      ctx.addIssue({ code: 'custom', message: `"${part}" is not a seed or range; expected e.g. 0-4 or 0,3,7` });
      return z.NEVER;
    }
    for (let s = from; s <= to; s++) seeds.push(s);
  }
  const duplicate = seeds.find((s, i) => seeds.indexOf(s) !== i);
  if (duplicate !== undefined) {
    ctx.addIssue({ code: 'custom', message: `seed ${duplicate} appears twice; list each seed once` });
    return z.NEVER;
  }
  return seeds;
});

/** "i/N" with 0 ≤ i < N. */
export const shardFlag = z.string().transform((raw, ctx) => {
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || !(count >= 1) || !(index < count)) {
    ctx.addIssue({ code: 'custom', message: 'expected i/N with 0 <= i < N, e.g. --shard 0/4 (i is 0-based, like a Kubernetes Indexed Job index)' });
    return z.NEVER;
  }
  return { index, count };
});

const READ_ERRORS: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'it is a folder' };

/** Read a JSON file that must hold an object; errors name the flag and the file. */
export function readJsonObjectFile(flag: string, file: string, what: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const reason = READ_ERRORS[code] ?? (error as Error).message;
    throw new UsageError(`${flag} ${file}: cannot read the file (${reason})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${flag} ${file}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = z.record(z.string(), z.unknown()).safeParse(value);
  if (!parsed.success || Array.isArray(value)) {
    const got = Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
    throw new UsageError(`${flag} ${file}: expected a JSON object of ${what}, got ${got}`);
  }
  return parsed.data;
}

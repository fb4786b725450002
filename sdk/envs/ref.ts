// Telling env ids from module references in strings (CLI flags, sweep specs). No imports: `trpo --help` and
// flag parsing must not load the envs.

/** True for strings that name a module file rather than an env id: './x.js', '/abs/x.mjs#make', 'file:…'. */
export function isModuleRef(ref: string): boolean {
  return /[\\/]/.test(ref) || ref.startsWith('file:') || /\.[cm]?[jt]s(#[\w$]*)?$/.test(ref);
}

/** './my-env.mjs#createEnv' → { module: './my-env.mjs', export: 'createEnv' }. */
export function parseModuleRef(ref: string): { module: string; export?: string } {
  const hash = ref.lastIndexOf('#');
  return hash > 0 && /^[\w$]+$/.test(ref.slice(hash + 1)) ? { module: ref.slice(0, hash), export: ref.slice(hash + 1) } : { module: ref };
}

/** A short name for a module env, safe in folder names: '/a/b/my-env.mjs#createEnv' → 'my-env_createEnv'. */
export function moduleRefLabel(ref: string): string {
  const { module, export: name } = parseModuleRef(ref);
  const file = (module.split(/[\\/]/).pop() ?? 'env').replace(/\.[cm]?[jt]s$/, '');
  return `${file}${name && name !== 'default' ? `_${name}` : ''}`.replace(/[^\w.-]/g, '_');
}

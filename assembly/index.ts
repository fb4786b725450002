// Entry point of the kernel library: re-exports every kernel module.
export function abiVersion(): i32 { return 1; }

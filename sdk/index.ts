// Public API of trpo-wasm. Every export here is documented and typed.
export const version = '0.1.0';

export { CmaEs, cmaParameters, type CmaEsOptions, type CmaEsState } from './cmaes.js';
export { Cem, type CemOptions, type CemState } from './cem.js';
export { symmetricEigen } from './linalg.js';

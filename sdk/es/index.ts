// Derivative-free policy search: the optimizers (ask/tell, minimisation) and the agents built on them.
export { CmaEs, cmaParameters, type CmaEsOptions, type CmaEsState } from './cmaes.js';
export { Cem, type CemOptions, type CemState } from './cem.js';
export { symmetricEigen } from './linalg.js';
export { CEM, CMAES, EvolutionAgent, loadEsAgent, type EsLearnOptions } from './agent.js';
export { resolveEsOptions, type CemAgentOptionsInput, type CmaesAgentOptionsInput, type EsAgentOptions } from './options.js';

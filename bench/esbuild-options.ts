// The benchmarks bundle with the stack's own definition (infra/bundling.ts): one source.
export { esbuildOptionsFor, PROJECT_ROOT } from '../infra/bundling.ts';

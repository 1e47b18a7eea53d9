/**
 * The plugin entry Nx loads (package.json `main`): project inference for the
 * GitOps tree. Generators and executors are found through generators.json and
 * executors.json.
 */
export { createNodes, createNodesV2, GITOPS_FILES_GLOB } from './graph/create-nodes';
export { createDependencies } from './graph/create-dependencies';
export type { GitopsPluginOptions } from './graph/options';

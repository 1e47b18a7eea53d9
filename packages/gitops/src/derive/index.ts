export { deriveTree, deployedIn } from './derive';
export type { DesiredTree } from './derive';
export { canonical, describeDrift, reconcile } from './reconcile';
export type { Drift, FileChange, ReconcilePlan } from './reconcile';
export { readTreeModel } from './tree-view';
export type { TreeView } from './tree-view';
export { yamlFilesIn } from './tree-view';
export { ENGINE_MODULES, engineModules } from './engines/index';
export type { EngineModule } from './engines/index';

export { deriveTree, deployedIn, DesiredTree } from './derive';
export { describeDrift, reconcile, Drift, FileChange, ReconcilePlan } from './reconcile';
export { readTreeModel, TreeView, yamlFilesIn } from './tree-view';
export { ENGINE_MODULES, engineModules, EngineModule } from './engines/index';

export { deriveTree, deployedIn, DesiredTree } from './derive';
export { canonical, describeDrift, reconcile, Drift, FileChange, ReconcilePlan } from './reconcile';
export { readTreeModel, TreeView } from './tree-view';
export { ENGINE_MODULES, engineModules, EngineModule } from './engines';

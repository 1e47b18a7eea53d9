export * from './types';
export * from './helm';
export * from './kustomize';
export * from './flux';
export * from './argocd';
export * from './namespace';
export * from './secrets';

/** Shared fixtures of the validation specs (a `testing.ts`: the lib tsconfig leaves it out of dist). */
import { DEFAULT_SECRETS, Platform, platformYaml } from '../model/platform';
import { memoryReader } from './file-reader';
import { LoadedTree } from './stages/1-load';
import { ValidateRequest } from './types';

/** Two layers, a repository and the default engine: the smallest platform the layer rule can be tested on. */
export const TEST_PLATFORM: Platform = {
  repository: { url: 'https://github.com/example/platform.git', branch: 'main' },
  defaultEngines: ['flux'],
  secrets: DEFAULT_SECRETS,
  layers: [
    { name: 'platform-operators', order: 1, namespace: 'platform-operators' },
    { name: 'orchestration', order: 3, namespace: 'orchestration' },
  ],
};

/** `gitops/platform.yaml` of TEST_PLATFORM, written as the generators write it. */
export const TEST_PLATFORM_YAML = platformYaml(TEST_PLATFORM);

export const TEST_KUSTOMIZATION = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n';

export const AIRFLOW = 'gitops/components/orchestration/airflow';
export const REDIS = 'gitops/components/platform-operators/redis-operator';
export const MLFLOW = 'gitops/components/orchestration/mlflow';

/** A small layout tree in memory: airflow (base + development and production overlays), redis-operator (base only), two environments. */
export function layoutTree(environmentYaml: Record<string, string> = {}, files: Record<string, string> = {}): LoadedTree {
  return new LoadedTree(
    memoryReader({
      'gitops/platform.yaml': TEST_PLATFORM_YAML,
      [`${AIRFLOW}/component.yaml`]: 'kind: helm\nnamespace: orchestration\ndependsOn: [redis-operator]\n',
      [`${AIRFLOW}/base/kustomization.yaml`]: TEST_KUSTOMIZATION,
      [`${AIRFLOW}/base/source.yaml`]: 'a: 1\n',
      [`${AIRFLOW}/overlays/development/kustomization.yaml`]: TEST_KUSTOMIZATION,
      [`${AIRFLOW}/overlays/production/kustomization.yaml`]: TEST_KUSTOMIZATION,
      [`${REDIS}/component.yaml`]: 'kind: helm\n',
      [`${REDIS}/base/kustomization.yaml`]: TEST_KUSTOMIZATION,
      'gitops/clusters/development/environment.yaml': environmentYaml.development ?? 'engine: flux\nsync: auto\n',
      'gitops/clusters/development/kustomization.yaml': TEST_KUSTOMIZATION,
      'gitops/clusters/production/environment.yaml': environmentYaml.production ?? 'engine: flux\nsync: manual\npinVersions: true\n',
      'gitops/clusters/production/kustomization.yaml': TEST_KUSTOMIZATION,
      'gitops/clusters/production/flux/airflow.yaml': 'a: 1\n',
      ...files,
    }),
  );
}

export function layoutRequest(targets: string[], layout: ValidateRequest['layout'] = 'gitops'): ValidateRequest {
  return { root: '/memory', targets, layout };
}

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { declaredKeysAt } from './type-declarations';

/** `<Kind>.d.ts` of an installed schema package (their `exports` hide the files from require.resolve). */
function kindFile(pkg: string, ...rest: string[]): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', pkg);
    if (existsSync(candidate)) return join(candidate, ...rest);
  }
  throw new Error(`${pkg} is not installed`);
}

const HELM_RELEASE = kindFile('@kubernetes-models/flux-cd', 'helm.toolkit.fluxcd.io/v2/HelmRelease.d.ts');
const APP_PROJECT = kindFile('@kubernetes-models/argo-cd', 'argoproj.io/v1alpha1/AppProject.d.ts');
const CONFIG_MAP = kindFile('kubernetes-models', 'v1/ConfigMap.d.ts');
const DEPLOYMENT = kindFile('kubernetes-models', 'apps/v1/Deployment.d.ts');

const has = (file: string, path: string[], key: string) => {
  const keys = declaredKeysAt(file, path);
  return keys === 'any' || (keys !== undefined && keys.has(key));
};

describe('declared fields, by path', () => {
  it('finds a field where its parent declares it, and not where only another object does', () => {
    expect(has(HELM_RELEASE, ['spec', 'chart', 'spec'], 'version')).toBe(true);
    expect(has(HELM_RELEASE, ['spec'], 'version')).toBe(false);
    expect(has(HELM_RELEASE, ['spec'], 'valuez')).toBe(false);
  });

  it('follows imported interfaces, including ones from another package (ObjectMeta)', () => {
    expect(has(APP_PROJECT, ['spec'], 'description')).toBe(true);
    expect(has(APP_PROJECT, ['metadata'], 'labels')).toBe(true);
    expect(has(APP_PROJECT, ['metadata'], 'replicas')).toBe(false);
  });

  it('knows an object without the parent at all (ConfigMap has no spec)', () => {
    expect(has(CONFIG_MAP, [], 'spec')).toBe(false);
    expect(has(CONFIG_MAP, [], 'data')).toBe(true);
    expect(declaredKeysAt(CONFIG_MAP, ['spec'])).toBeUndefined();
  });

  it('walks arrays by index, and lets maps and free-form JSON hold any key', () => {
    expect(has(DEPLOYMENT, ['spec', 'template', 'spec', 'containers', '0'], 'image')).toBe(true);
    expect(has(DEPLOYMENT, ['spec', 'template', 'spec', 'containers', '0'], 'imagez')).toBe(false);
    expect(declaredKeysAt(CONFIG_MAP, ['data'])).toBe('any');
    expect(declaredKeysAt(HELM_RELEASE, ['spec', 'values'])).toBe('any');
    expect(declaredKeysAt(HELM_RELEASE, ['metadata', 'labels'])).toBe('any');
  });

  it('says nothing for a file that does not exist', () => {
    expect(declaredKeysAt(join(dirname(CONFIG_MAP), 'NoSuchKind.d.ts'), [])).toBeUndefined();
  });
});

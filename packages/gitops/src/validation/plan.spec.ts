import { memoryReader } from './file-reader';
import { planAny, planLayout } from './plan';
import { LoadedTree } from './stages/1-load';
import { AIRFLOW, layoutRequest as request, layoutTree, REDIS, TEST_KUSTOMIZATION as KUSTOMIZATION } from './testing';

describe('planLayout: what a target covers', () => {
  it('a component renders each of its overlays, not its base on its own', () => {
    const plan = planLayout(layoutTree(), request([AIRFLOW]));
    expect(plan.renderRequests).toEqual([`${AIRFLOW}/overlays/development`, `${AIRFLOW}/overlays/production`]);
    expect(plan.files).toEqual(expect.arrayContaining([`${AIRFLOW}/base/source.yaml`, `${AIRFLOW}/component.yaml`]));
    expect(plan.files.some((f) => f.startsWith(REDIS))).toBe(false);
  });

  it('a component without overlays renders its base', () => {
    expect(planLayout(layoutTree(), request([REDIS])).renderRequests).toEqual([`${REDIS}/base`]);
  });

  it("an environment renders its entry and every component's overlay for it, and nothing of other environments", () => {
    const plan = planLayout(layoutTree(), request(['gitops/clusters/production']));
    expect(plan.renderRequests).toEqual(['gitops/clusters/production', `${AIRFLOW}/overlays/production`]);
    expect(plan.files).toContain('gitops/clusters/production/flux/airflow.yaml');
    expect(plan.files.some((f) => f.includes('development'))).toBe(false);
  });

  it('an environment checks its own folder; the overlays of components that are not targets are context (duplicates, sources), not re-checked', () => {
    const alone = planLayout(layoutTree(), request(['gitops/clusters/production']));
    expect(alone.contextDirs).toEqual([`${AIRFLOW}/overlays/production`]);
    expect(alone.files.some((f) => f.startsWith(AIRFLOW))).toBe(false);

    const withComponent = planLayout(layoutTree(), request([AIRFLOW, 'gitops/clusters/production']));
    expect(withComponent.contextDirs).toEqual([]);
    expect(withComponent.files).toContain(`${AIRFLOW}/overlays/production/kustomization.yaml`);
  });

  it('knows the environment of entries and overlays, and none for bases', () => {
    const plan = planLayout(layoutTree(), request([AIRFLOW]));
    expect(plan.envOf(`${AIRFLOW}/overlays/production/kustomization.yaml`)).toBe('production');
    expect(plan.envOf('gitops/clusters/development/kustomization.yaml')).toBe('development');
    expect(plan.envOf(`${AIRFLOW}/base/source.yaml`)).toBeUndefined();
  });

  it('gives each finding to the component that holds the file, else to the environment entry', () => {
    const plan = planLayout(layoutTree(), request([AIRFLOW, 'gitops/clusters/production']));
    expect(plan.ownerOf(`${AIRFLOW}/overlays/production/kustomization.yaml`)).toBe(AIRFLOW);
    expect(plan.ownerOf('gitops/clusters/production/flux/airflow.yaml')).toBe('gitops/clusters/production');
  });

  it('applies production policy from environment.yaml and treats platform, component and environment files as configuration', () => {
    const plan = planLayout(layoutTree(), request([AIRFLOW]));
    expect(plan.policyOf('production')).toEqual({ pinned: true, manual: true, severity: 'error' });
    expect(plan.policyOf('development')).toBeUndefined();
    expect(plan.isConfig(`${AIRFLOW}/component.yaml`)).toBe(true);
    expect(plan.isConfig('gitops/clusters/production/environment.yaml')).toBe(true);
    expect(plan.isConfig(`${AIRFLOW}/base/source.yaml`)).toBe(false);
  });

  it('gives a hand-written production environment.yaml without sync or pinVersions the production policy', () => {
    const plan = planLayout(layoutTree({ production: '# written by hand\nengine: flux\n', development: 'pinVersions: true\n' }), request([AIRFLOW]));
    expect(plan.policyOf('production')).toEqual({ pinned: true, manual: true, severity: 'error' });
    expect(plan.policyOf('development')).toEqual({ pinned: true, manual: false, severity: 'error' });
  });

  it('lets production say it syncs automatically (a finding of its own) and still pins it when pinVersions is not said', () => {
    const plan = planLayout(layoutTree({ production: 'sync: auto\n' }), request([AIRFLOW]));
    expect(plan.policyOf('production')).toEqual({ pinned: true, manual: false, severity: 'error' });
  });
});

describe('planAny: any tree', () => {
  const tree = () =>
    new LoadedTree(
      memoryReader({
        'apps/base/kustomization.yaml': KUSTOMIZATION,
        'apps/production/kustomization.yaml': KUSTOMIZATION,
        'apps/production/extra.yaml': 'a: 1\n',
        'clusters/prod/flux.yaml': 'a: 1\n',
        'README.md': '# not yaml',
      }),
    );

  it('renders every kustomization directory and reads every YAML file', () => {
    const plan = planAny(tree(), request([''], 'any'));
    expect(plan.renderRequests.sort()).toEqual(['apps/base', 'apps/production']);
    expect(plan.files.sort()).toEqual([
      'apps/base/kustomization.yaml',
      'apps/production/extra.yaml',
      'apps/production/kustomization.yaml',
      'clusters/prod/flux.yaml',
    ]);
  });

  it('applies production policy, as warnings, below a folder named production or prod', () => {
    const plan = planAny(tree(), request([''], 'any'));
    expect(plan.envOf('apps/production/extra.yaml')).toBe('production');
    expect(plan.envOf('clusters/prod/flux.yaml')).toBe('production');
    expect(plan.envOf('apps/base/kustomization.yaml')).toBeUndefined();
    expect(plan.policyOf('production')).toEqual({ pinned: true, manual: true, severity: 'warning' });
  });
});

import { memoryReader } from './file-reader';
import { planAny, planLayout } from './plan';
import { LoadedTree } from './stages/1-load';
import { TEST_PLATFORM_YAML } from './testing';
import { ValidateRequest } from './types';

const KUSTOMIZATION = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n';

/** airflow (base + development and production overlays), redis-operator (base only), two environments. */
function layoutTree(environmentYaml: Record<string, string> = {}, files: Record<string, string> = {}): LoadedTree {
  return new LoadedTree(
    memoryReader({
      'gitops/platform.yaml': TEST_PLATFORM_YAML,
      'gitops/components/orchestration/airflow/component.yaml': 'kind: helm\nnamespace: orchestration\ndependsOn: [redis-operator]\n',
      'gitops/components/orchestration/airflow/base/kustomization.yaml': KUSTOMIZATION,
      'gitops/components/orchestration/airflow/base/source.yaml': 'a: 1\n',
      'gitops/components/orchestration/airflow/overlays/development/kustomization.yaml': KUSTOMIZATION,
      'gitops/components/orchestration/airflow/overlays/production/kustomization.yaml': KUSTOMIZATION,
      'gitops/components/platform-operators/redis-operator/component.yaml': 'kind: helm\n',
      'gitops/components/platform-operators/redis-operator/base/kustomization.yaml': KUSTOMIZATION,
      'gitops/clusters/development/environment.yaml': environmentYaml.development ?? 'engine: flux\nsync: auto\n',
      'gitops/clusters/development/kustomization.yaml': KUSTOMIZATION,
      'gitops/clusters/production/environment.yaml': environmentYaml.production ?? 'engine: flux\nsync: manual\npinVersions: true\n',
      'gitops/clusters/production/kustomization.yaml': KUSTOMIZATION,
      'gitops/clusters/production/flux/airflow.yaml': 'a: 1\n',
      ...files,
    }),
  );
}

const AIRFLOW = 'gitops/components/orchestration/airflow';
const REDIS = 'gitops/components/platform-operators/redis-operator';
const MLFLOW = 'gitops/components/orchestration/mlflow';

function request(targets: string[], layout: ValidateRequest['layout'] = 'gitops'): ValidateRequest {
  return { root: '/memory', targets, layout };
}

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

  it('reports production that syncs automatically or floats versions at the line of the key', () => {
    const tree = layoutTree({ production: '# production settings\nengine: flux\nsync: auto\nprune: true\npinVersions: false\n' });
    const plan = planLayout(tree, request(['gitops/clusters/production']));
    expect(plan.findings).toEqual([
      expect.objectContaining({
        rule: 'production-auto-sync',
        file: 'gitops/clusters/production/environment.yaml',
        line: 3,
        message: expect.stringContaining("sets sync 'auto'"),
      }),
      expect.objectContaining({
        rule: 'production-unpinned',
        file: 'gitops/clusters/production/environment.yaml',
        line: 5,
        message: expect.stringContaining('sets pinVersions false'),
      }),
    ]);
  });

  it('reports an environment setting the engines cannot read, quoting it and the allowed values, at its line', () => {
    const tree = layoutTree({ development: 'engine: flux\nsync: sometimes\n' });
    const plan = planLayout(tree, request(['gitops/clusters/development']));
    expect(plan.findings).toEqual([
      expect.objectContaining({
        rule: 'config-invalid',
        file: 'gitops/clusters/development/environment.yaml',
        line: 2,
        message: "Sync mode in gitops/clusters/development/environment.yaml 'sometimes' is not allowed; must be one of: auto, manual.",
      }),
    ]);
  });
});

describe('planLayout: problems of the configuration files', () => {
  const broken = { [`${MLFLOW}/component.yaml`]: 'kind: helm\ndependsOn: [postgresql\n' };

  it("does not fail a component for a syntax error in another component's component.yaml (not among its inputs)", () => {
    const plan = planLayout(layoutTree({}, broken), request([AIRFLOW]));
    expect(plan.findings).toEqual([]);
  });

  it('gives the syntax error to the component whose component.yaml it is, also in a batch with others', () => {
    const plan = planLayout(layoutTree({}, broken), request([AIRFLOW, MLFLOW]));
    expect(plan.findings).toEqual([expect.objectContaining({ target: MLFLOW, file: `${MLFLOW}/component.yaml`, rule: 'yaml-syntax' })]);
  });

  it("reports a value component.yaml must not hold as config-invalid of that component, at the key's line, quoting it and the allowed kinds", () => {
    const files = { [`${MLFLOW}/component.yaml`]: '# mlflow\nnamespace: orchestration\nkind: chart\n' };
    expect(planLayout(layoutTree({}, files), request([AIRFLOW])).findings).toEqual([]);
    expect(planLayout(layoutTree({}, files), request([MLFLOW, 'gitops/clusters/production'])).findings).toEqual([
      {
        target: MLFLOW,
        file: `${MLFLOW}/component.yaml`,
        line: 3,
        rule: 'config-invalid',
        severity: 'error',
        message: "Kind 'chart' is not allowed; must be one of: helm, manifests.",
        hint: expect.any(String),
      },
    ]);
  });

  it('gives a problem of platform.yaml, an input of every target, to every requested target', () => {
    const plan = planLayout(layoutTree({}, { 'gitops/platform.yaml': 'layers: [\n' }), request([AIRFLOW, 'gitops/clusters/production']));
    const platform = plan.findings.filter((f) => f.file === 'gitops/platform.yaml');
    expect(platform.map((f) => [f.target, f.rule, f.line])).toEqual([
      [AIRFLOW, 'config-invalid', 1],
      ['gitops/clusters/production', 'config-invalid', 1],
    ]);
    expect(platform[0].message).not.toContain('is missing');
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

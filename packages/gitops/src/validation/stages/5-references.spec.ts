import { rootApplication, rootObjects } from '../../manifests/index';
import { EnvironmentSettings } from '../../model/environment-settings';
import { buildTreeModel } from '../../model/tree-model';
import { toYaml } from '../../model/yaml-io';
import { memoryReader } from '../file-reader';
import { planAny, planLayout } from '../plan';
import { TEST_PLATFORM_YAML } from '../testing';
import { LoadedTree } from './1-load';
import { checkComponentGraph, checkReferences, ReferenceOptions } from './5-references';
import { Subject, writtenSubjects } from './subject';

const ANY: ReferenceOptions = { own: { names: ['flux-system'], isOwnUrl: () => false }, isOwnRepo: () => true, duplicates: false };

/** Every object of the given files as written, in one environment. */
function subjects(
  tree: LoadedTree,
  files: string[],
  scope = 'production',
  dirOf: (file: string) => string = (f) => f.slice(0, f.lastIndexOf('/')),
): Subject[] {
  return files.flatMap((f) => writtenSubjects(tree, f, { scope, env: scope || undefined }).map((s) => ({ ...s, dir: dirOf(f) })));
}

function model(components: Record<string, string>) {
  return buildTreeModel([
    { path: 'gitops/platform.yaml', text: TEST_PLATFORM_YAML },
    ...Object.entries(components).map(([path, text]) => ({ path, text })),
  ]);
}

describe('stage 5, references', () => {
  describe('dependsOn', () => {
    it('reports a Flux Kustomization dependsOn entry that names nothing, at its file and line', () => {
      const tree = new LoadedTree(
        memoryReader({
          'clusters/production/apps.yaml': [
            'apiVersion: kustomize.toolkit.fluxcd.io/v1',
            'kind: Kustomization',
            'metadata: { name: apps, namespace: flux-system }',
            'spec:',
            '  dependsOn:',
            '    - name: infra',
            '    - name: crds',
            '  sourceRef: { kind: GitRepository, name: other }',
            '---',
            'apiVersion: kustomize.toolkit.fluxcd.io/v1',
            'kind: Kustomization',
            'metadata: { name: infra, namespace: flux-system }',
            'spec: {}',
            '',
          ].join('\n'),
        }),
      );
      expect(checkReferences(subjects(tree, ['clusters/production/apps.yaml']), tree, ANY)).toEqual([
        expect.objectContaining({
          rule: 'ref-depends-on',
          file: 'clusters/production/apps.yaml',
          line: 7,
          message: "Kustomization 'flux-system/apps' depends on Kustomization 'crds', which is not defined in environment 'production'.",
        }),
      ]);
    });

    it('reports a component.yaml dependency on a component that does not exist, listing the existing ones', () => {
      const m = model({ 'gitops/components/orchestration/airflow/component.yaml': 'kind: helm\ndependsOn:\n  - postgres\n' });
      expect(checkComponentGraph(m, 'all')).toEqual([
        expect.objectContaining({
          rule: 'ref-depends-on',
          file: 'gitops/components/orchestration/airflow/component.yaml',
          line: 3,
          message: "Component 'airflow' depends on 'postgres', which is not a component; existing components: airflow.",
        }),
      ]);
    });

    it('says when the dependency exists but its component.yaml cannot be read', () => {
      const m = model({
        'gitops/components/orchestration/airflow/component.yaml': 'kind: helm\ndependsOn:\n  - postgresql\n',
        'gitops/components/orchestration/postgresql/component.yaml': 'kind: helm\ndependsOn: [\n',
      });
      expect(checkComponentGraph(m, new Set(['gitops/components/orchestration/airflow']))).toEqual([
        expect.objectContaining({
          rule: 'ref-depends-on',
          line: 3,
          message: "Component 'airflow' depends on 'postgresql', whose gitops/components/orchestration/postgresql/component.yaml cannot be read.",
        }),
      ]);
    });
  });

  describe('the component graph', () => {
    it('refuses a dependency on a higher layer, naming both components, both layers and the declaring file', () => {
      const m = model({
        'gitops/components/orchestration/airflow/component.yaml': 'kind: helm\n',
        'gitops/components/platform-operators/redis-operator/component.yaml': 'kind: helm\nnamespace: platform-operators\ndependsOn: [airflow]\n',
      });
      const findings = checkComponentGraph(m, 'all');
      expect(findings).toEqual([
        expect.objectContaining({
          rule: 'layer-violation',
          file: 'gitops/components/platform-operators/redis-operator/component.yaml',
          line: 3,
          target: 'gitops/components/platform-operators/redis-operator',
        }),
      ]);
      expect(findings[0].message).toContain(
        "'redis-operator' (layer platform-operators, order 1) must not depend on 'airflow' (layer orchestration, order 3)",
      );
    });

    it('reports a cycle with the loop spelled out', () => {
      const m = model({
        'gitops/components/orchestration/airflow/component.yaml': 'dependsOn: [redis]\n',
        'gitops/components/orchestration/redis/component.yaml': 'dependsOn: [airflow]\n',
      });
      expect(checkComponentGraph(m, 'all')).toEqual([
        expect.objectContaining({
          rule: 'dependency-cycle',
          file: 'gitops/components/orchestration/airflow/component.yaml',
          line: 1,
          message: 'Components depend on each other in a cycle: airflow → redis → airflow.',
        }),
      ]);
    });

    it('fails whichever member of a cycle is validated, at the dependsOn entry of that member', () => {
      const m = model({
        'gitops/components/orchestration/airflow/component.yaml': 'kind: helm\ndependsOn: [redis]\n',
        'gitops/components/orchestration/redis/component.yaml': 'kind: helm\ndependsOn: [airflow]\n',
      });
      const cycle = (component: string) =>
        expect.objectContaining({
          rule: 'dependency-cycle',
          target: `gitops/components/orchestration/${component}`,
          file: `gitops/components/orchestration/${component}/component.yaml`,
          line: 2,
        });
      expect(checkComponentGraph(m, new Set(['gitops/components/orchestration/redis']))).toEqual([cycle('redis')]);
      expect(checkComponentGraph(m, new Set(['gitops/components/orchestration/airflow', 'gitops/components/orchestration/redis']))).toEqual([
        cycle('airflow'),
        cycle('redis'),
      ]);
    });

    it('reports a component under a layer folder the platform file does not list, naming the layers', () => {
      const m = model({ 'gitops/components/data-science/notebook/component.yaml': 'kind: helm\n' });
      expect(checkComponentGraph(m, 'all')).toEqual([
        expect.objectContaining({
          rule: 'config-invalid',
          message: "Layer 'data-science' does not exist; existing layers: platform-operators, orchestration.",
        }),
      ]);
    });

    it('reports only what concerns the requested components', () => {
      const m = model({
        'gitops/components/orchestration/airflow/component.yaml': 'dependsOn: [nothing]\n',
        'gitops/components/orchestration/redis/component.yaml': 'kind: helm\n',
      });
      expect(checkComponentGraph(m, new Set(['gitops/components/orchestration/redis']))).toEqual([]);
    });
  });

  describe('paths', () => {
    const tree = new LoadedTree(
      memoryReader({
        'clusters/production/apps.yaml': [
          'apiVersion: kustomize.toolkit.fluxcd.io/v1',
          'kind: Kustomization',
          'metadata: { name: apps, namespace: flux-system }',
          'spec:',
          '  sourceRef: { kind: GitRepository, name: flux-system }',
          '  path: ./apps/production',
          '---',
          'apiVersion: kustomize.toolkit.fluxcd.io/v1',
          'kind: Kustomization',
          'metadata: { name: elsewhere, namespace: flux-system }',
          'spec:',
          '  sourceRef: { kind: GitRepository, name: another-repo }',
          '  path: ./not/here',
          '',
        ].join('\n'),
        'argocd/podinfo.yaml': [
          'apiVersion: argoproj.io/v1alpha1',
          'kind: Application',
          'metadata: { name: podinfo, namespace: argocd }',
          'spec:',
          '  project: default',
          '  sources:',
          '    - repoURL: https://charts.example.com',
          '      chart: podinfo',
          '      targetRevision: 6.5.0',
          '    - repoURL: https://github.com/example/platform.git',
          '      path: apps/podinfo',
          '',
        ].join('\n'),
        'apps/base/kustomization.yaml': 'resources: []\n',
      }),
    );

    it('reports a Flux Kustomization path of this repository that does not exist, and leaves other repositories alone', () => {
      const findings = checkReferences(subjects(tree, ['clusters/production/apps.yaml']), tree, ANY);
      expect(findings).toEqual([
        expect.objectContaining({
          rule: 'ref-path',
          file: 'clusters/production/apps.yaml',
          line: 6,
          message: "Kustomization 'flux-system/apps' points to path './apps/production', which does not exist in the repository.",
        }),
      ]);
    });

    it('resolves a path against this repository only for a GitRepository that is it, never for an OCI artifact', () => {
      const sources = new LoadedTree(
        memoryReader({
          'clusters/production/sources.yaml': [
            'apiVersion: kustomize.toolkit.fluxcd.io/v1',
            'kind: Kustomization',
            'metadata: { name: artifact, namespace: flux-system }',
            'spec:',
            '  sourceRef: { kind: OCIRepository, name: flux-system }',
            '  path: ./inside-the-artifact',
            '---',
            'apiVersion: source.toolkit.fluxcd.io/v1',
            'kind: GitRepository',
            'metadata: { name: platform, namespace: flux-system }',
            'spec: { url: "https://github.com/example/platform.git" }',
            '---',
            'apiVersion: kustomize.toolkit.fluxcd.io/v1',
            'kind: Kustomization',
            'metadata: { name: by-url, namespace: flux-system }',
            'spec:',
            '  sourceRef: { kind: GitRepository, name: platform }',
            '  path: ./apps/missing',
            '',
          ].join('\n'),
        }),
      );
      const own = { names: ['flux-system'], isOwnUrl: (url: string) => url === 'https://github.com/example/platform.git' };
      expect(checkReferences(subjects(sources, ['clusters/production/sources.yaml']), sources, { ...ANY, own })).toEqual([
        expect.objectContaining({
          rule: 'ref-path',
          line: 18,
          message: "Kustomization 'flux-system/by-url' points to path './apps/missing', which does not exist in the repository.",
        }),
      ]);
    });

    it('checks Argo CD Application paths in any tree, relative to the directory given', () => {
      const plan = planAny(tree, { root: '/memory', targets: [''], layout: 'any' });
      expect(checkReferences(subjects(tree, ['argocd/podinfo.yaml'], ''), tree, plan.references)).toEqual([
        expect.objectContaining({
          rule: 'ref-path',
          file: 'argocd/podinfo.yaml',
          line: 11,
          message: "Application 'argocd/podinfo' points to path 'apps/podinfo', which does not exist in the repository.",
        }),
      ]);
    });
  });

  it('reports an Application whose AppProject is not defined in the environment', () => {
    const tree = new LoadedTree(
      memoryReader({
        'apps/podinfo.yaml':
          'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: podinfo, namespace: argocd }\nspec:\n  project: apps\n',
        'apps/project.yaml': 'apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: { name: platform, namespace: argocd }\nspec: {}\n',
      }),
    );
    expect(checkReferences(subjects(tree, ['apps/podinfo.yaml', 'apps/project.yaml']), tree, ANY)).toEqual([
      expect.objectContaining({
        rule: 'ref-app-project',
        file: 'apps/podinfo.yaml',
        line: 5,
        message: "Application 'argocd/podinfo' uses AppProject 'apps', which is not defined in environment 'production'.",
      }),
    ]);
  });

  describe('the root app-of-apps as the generators write it', () => {
    const env: EnvironmentSettings = {
      name: 'production',
      engines: ['argocd'],
      sync: 'manual',
      prune: false,
      selfHeal: false,
      pinVersions: true,
      size: 'large',
      secrets: 'external-secrets',
    };
    const git = { url: 'https://github.com/example/gitops.git', branch: 'main' };
    const ROOT = 'gitops/clusters/production/argocd/root.yaml';
    const APPS = {
      'gitops/clusters/production/argocd/apps/project-data-plane.yaml':
        'apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: { name: data-plane, namespace: argocd }\nspec: {}\n',
    };

    it('resolves its project to the AppProject gitops-root in the same file', () => {
      const tree = new LoadedTree(memoryReader({ [ROOT]: toYaml(rootObjects(env, git)), ...APPS }));
      expect(checkReferences(subjects(tree, [ROOT]), tree, ANY)).toEqual([]);
    });

    it('is reported when the file lost its AppProject', () => {
      const tree = new LoadedTree(memoryReader({ [ROOT]: toYaml(rootApplication(env, git)), ...APPS }));
      expect(checkReferences(subjects(tree, [ROOT]), tree, ANY)).toEqual([
        expect.objectContaining({
          rule: 'ref-app-project',
          file: ROOT,
          message: "Application 'argocd/root-production' uses AppProject 'gitops-root', which is not defined in environment 'production'.",
        }),
      ]);
    });
  });

  it('reports the same object defined by two directories of one environment, naming both', () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: shared, namespace: orchestration }\n';
    const tree = new LoadedTree(
      memoryReader({ 'a/overlays/production/cm.yaml': cm, 'b/overlays/production/cm.yaml': cm, 'b/overlays/staging/cm.yaml': cm }),
    );
    const production = subjects(tree, ['a/overlays/production/cm.yaml', 'b/overlays/production/cm.yaml']);
    const staging = subjects(tree, ['b/overlays/staging/cm.yaml'], 'staging');
    expect(checkReferences([...production, ...staging], tree, { ...ANY, duplicates: true })).toEqual([
      expect.objectContaining({
        rule: 'duplicate-resource',
        file: 'b/overlays/production/cm.yaml',
        message:
          "ConfigMap/orchestration/shared is defined twice in environment 'production': by a/overlays/production and by b/overlays/production.",
      }),
    ]);
  });

  describe('chart sources', () => {
    const HELMRELEASE = [
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'metadata: { name: airflow, namespace: orchestration }',
      'spec:',
      '  chart:',
      '    spec:',
      '      chart: airflow',
      '      sourceRef:',
      '        kind: HelmRepository',
      '        name: shared-charts',
      '',
    ].join('\n');
    const SOURCE =
      'apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: { name: shared-charts, namespace: orchestration }\nspec: { url: https://charts.example.com }\n';
    const KUSTOMIZATION = 'resources: []\n';

    /** airflow uses a HelmRepository that the chart-sources component owns; chart-sources has overlays for `sourceEnvs`. */
    function tree(sourceEnvs: string[]): LoadedTree {
      const files: Record<string, string> = {
        'gitops/platform.yaml': TEST_PLATFORM_YAML,
        'gitops/components/orchestration/airflow/component.yaml': 'kind: helm\n',
        'gitops/components/orchestration/airflow/base/kustomization.yaml': KUSTOMIZATION,
        'gitops/components/orchestration/airflow/base/helmrelease.yaml': HELMRELEASE,
        'gitops/components/orchestration/airflow/overlays/production/kustomization.yaml': KUSTOMIZATION,
        'gitops/components/orchestration/chart-sources/component.yaml': 'kind: manifests\n',
        'gitops/components/orchestration/chart-sources/base/kustomization.yaml': KUSTOMIZATION,
        'gitops/components/orchestration/chart-sources/base/source.yaml': SOURCE,
        'gitops/clusters/production/environment.yaml': 'sync: manual\n',
      };
      for (const env of sourceEnvs) files[`gitops/components/orchestration/chart-sources/overlays/${env}/kustomization.yaml`] = KUSTOMIZATION;
      return new LoadedTree(memoryReader(files));
    }

    /** Only airflow is validated (as `nx run airflow:validate` does), so the source is not rendered with it. */
    function checkAirflow(t: LoadedTree) {
      const plan = planLayout(t, { root: '/memory', targets: ['gitops/components/orchestration/airflow'], layout: 'gitops' });
      return checkReferences(subjects(t, ['gitops/components/orchestration/airflow/base/helmrelease.yaml']), t, plan.references);
    }

    it('accepts a source another component owns and deploys in the same environment', () => {
      expect(checkAirflow(tree(['production']))).toEqual([]);
    });

    it('reports a source whose owner is not deployed in the environment, naming the owner', () => {
      expect(checkAirflow(tree(['staging']))).toEqual([
        expect.objectContaining({
          rule: 'ref-chart-source',
          line: 10,
          message:
            "HelmRelease 'orchestration/airflow' uses HelmRepository 'orchestration/shared-charts', which is defined by 'chart-sources', not deployed in environment 'production'.",
        }),
      ]);
    });

    it('reports a source defined nowhere in the tree', () => {
      const t = tree(['production']);
      const plan = planLayout(t, { root: '/memory', targets: ['gitops/components/orchestration/airflow'], layout: 'gitops' });
      const renamed = subjects(t, ['gitops/components/orchestration/airflow/base/helmrelease.yaml']).map((s) => ({
        ...s,
        object: { ...s.object, spec: { chart: { spec: { chart: 'airflow', sourceRef: { kind: 'HelmRepository', name: 'typo-charts' } } } } },
      }));
      expect(checkReferences(renamed, t, plan.references)).toEqual([
        expect.objectContaining({
          rule: 'ref-chart-source',
          message:
            "HelmRelease 'orchestration/airflow' uses HelmRepository 'orchestration/typo-charts', which is not defined in environment 'production' nor in any component.",
        }),
      ]);
    });
  });
});

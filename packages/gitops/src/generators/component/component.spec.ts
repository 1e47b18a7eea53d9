import { Tree } from '@nx/devkit';
import { parse } from 'yaml';
import { DEFAULT_LAYERS, DEFAULT_SECRETS, PLACEHOLDER_REPOSITORY, platformYaml } from '../../model/platform';
import { COMPONENT_KINDS } from '../../model/vocabulary';
import { changedFiles, createGitopsTree, snapshot } from '../shared/testing';
import environmentGenerator from '../environment/environment';
import componentGenerator from './component';
import schema from './schema.json';

const read = (tree: Tree, path: string) => parse(tree.read(path, 'utf-8')!);
const C = 'gitops/components';

describe('component generator', () => {
  let tree: Tree;
  beforeEach(async () => {
    tree = await createGitopsTree();
  });

  describe('a catalog chart component', () => {
    it('writes component.yaml, the base and an overlay per environment with its values and version', async () => {
      await componentGenerator(tree, { name: 'strimzi-kafka-operator' });
      const dir = `${C}/platform-operators/strimzi-kafka-operator`;
      expect(read(tree, `${dir}/component.yaml`)).toMatchObject({ name: 'strimzi-kafka-operator', kind: 'helm', namespace: 'platform-operators' });
      expect(read(tree, `${dir}/base/source.yaml`)).toMatchObject({ kind: 'HelmRepository', spec: { url: 'https://strimzi.io/charts/' } });
      const release = read(tree, `${dir}/base/helmrelease.yaml`);
      expect(release.apiVersion).toBe('helm.toolkit.fluxcd.io/v2');
      expect(release.spec.install.crds).toBe('Create');
      expect(release.spec.upgrade.crds).toBe('CreateReplace');
      for (const env of ['development', 'staging', 'production']) {
        expect(read(tree, `${dir}/overlays/${env}/version.yaml`).spec.chart.spec.version).toBe('1.2.0');
      }
      expect(read(tree, `${dir}/overlays/production/values.yaml`).replicas).toBe(2);
      expect(read(tree, `${dir}/overlays/staging/values.yaml`).replicas).toBe(1);
    });

    it('uses an OCIRepository and chartRef for an oci:// chart, the version as the tag', async () => {
      await componentGenerator(tree, { name: 'kube-prometheus-stack' });
      const dir = `${C}/observability/kube-prometheus-stack`;
      expect(read(tree, `${dir}/base/source.yaml`)).toMatchObject({
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'OCIRepository',
        spec: { url: 'oci://ghcr.io/prometheus-community/charts/kube-prometheus-stack' },
      });
      expect(read(tree, `${dir}/base/helmrelease.yaml`).spec.chartRef).toEqual({ kind: 'OCIRepository', name: 'kube-prometheus-stack' });
      expect(read(tree, `${dir}/overlays/production/version.yaml`)).toMatchObject({ kind: 'OCIRepository', spec: { ref: { tag: '88.5.3' } } });
    });

    it('wires each environment: a Flux Kustomization with dependsOn, on the release source where sync is manual, listed in the entry point', async () => {
      await componentGenerator(tree, { name: 'cloudnative-pg' });
      await componentGenerator(tree, { name: 'postgresql' });
      const prod = read(tree, 'gitops/clusters/production/flux/postgresql.yaml');
      expect(prod.spec).toMatchObject({
        path: './gitops/components/orchestration/postgresql/overlays/production',
        // It needs the Secret mlflow-postgres: it waits for the Secret objects.
        dependsOn: [{ name: 'cloudnative-pg' }, { name: 'platform-secrets' }],
        sourceRef: { kind: 'GitRepository', name: 'gitops-release' },
        prune: false,
        targetNamespace: 'orchestration',
      });
      expect(prod.spec).not.toHaveProperty('suspend');
      expect(tree.read('gitops/clusters/production/flux/postgresql.yaml', 'utf-8')).toContain(
        'release or roll back with: nx g @mlops/gitops:release --environment=production --tag=<tag>',
      );
      expect(read(tree, 'gitops/clusters/staging/flux/postgresql.yaml').spec.sourceRef.name).toBe('flux-system');
      expect(read(tree, 'gitops/clusters/staging/kustomization.yaml').resources).toEqual([
        'namespaces.yaml',
        'flux/cloudnative-pg.yaml',
        'flux/platform-secrets.yaml',
        'flux/postgresql.yaml',
      ]);
      const namespaces = tree.read('gitops/clusters/staging/namespaces.yaml', 'utf-8')!;
      expect(namespaces).toContain('name: orchestration');
      expect(namespaces).toContain('name: platform-operators');
    });

    it('sizes differ by environment: 1 Kafka broker in staging, 3 in production', async () => {
      await componentGenerator(tree, { name: 'strimzi-kafka-operator' });
      await componentGenerator(tree, { name: 'kafka-cluster' });
      const dir = `${C}/data-plane/kafka-cluster`;
      const pool = (env: string) =>
        tree
          .read(`${dir}/overlays/${env}/size.yaml`, 'utf-8')!
          .split(/^---$/m)
          .map((d) => parse(d))
          .find((o) => o.kind === 'KafkaNodePool');
      expect(pool('staging').spec.replicas).toBe(1);
      expect(pool('production').spec.replicas).toBe(3);
      expect(read(tree, `${dir}/overlays/production/kustomization.yaml`).patches).toEqual([{ path: 'size.yaml' }]);
      expect(tree.exists(`${dir}/base/helmrelease.yaml`)).toBe(false);
    });

    it('writes Argo CD objects for an argocd environment: Application in the layer project with its sync wave', async () => {
      await environmentGenerator(tree, { name: 'argo', engines: ['argocd'] });
      for (const name of ['cloudnative-pg', 'postgresql', 'airflow']) await componentGenerator(tree, { name });
      const app = read(tree, 'gitops/clusters/argo/argocd/apps/airflow.yaml');
      expect(app.spec.project).toBe('orchestration');
      // After postgresql (wave 3, its layer's order), which it depends on.
      expect(app.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('4');
      expect(app.spec.sources[0]).toMatchObject({ repoURL: 'https://airflow.apache.org', targetRevision: '1.22.0' });
      expect(app.spec.sources[0].helm.valueFiles).toEqual([
        '$values/gitops/components/orchestration/airflow/base/values.yaml',
        '$values/gitops/components/orchestration/airflow/overlays/argo/values.yaml',
      ]);
      const project = read(tree, 'gitops/clusters/argo/argocd/apps/project-orchestration.yaml');
      expect(project.spec.sourceRepos).not.toContain('*');
      expect(project.spec.destinations).toEqual([{ server: 'https://kubernetes.default.svc', namespace: 'orchestration' }]);
      expect(tree.exists('gitops/clusters/argo/flux/airflow.yaml')).toBe(false);
      expect(tree.exists('gitops/clusters/argo/argocd/root.yaml')).toBe(true);
    });

    it('only adds the component to the environments asked for', async () => {
      await componentGenerator(tree, { name: 'sealed-secrets', environments: 'development,staging' });
      expect(tree.exists(`${C}/platform-operators/sealed-secrets/overlays/staging/kustomization.yaml`)).toBe(true);
      expect(tree.exists(`${C}/platform-operators/sealed-secrets/overlays/production`)).toBe(false);
      expect(tree.exists('gitops/clusters/production/flux/sealed-secrets.yaml')).toBe(false);
    });
  });

  describe('re-running', () => {
    it('with the same input changes nothing', async () => {
      await componentGenerator(tree, { name: 'cloudnative-pg' });
      await componentGenerator(tree, { name: 'postgresql' });
      const before = snapshot(tree);
      await componentGenerator(tree, { name: 'postgresql' });
      await componentGenerator(tree, { name: 'cloudnative-pg' });
      expect(changedFiles(before, snapshot(tree))).toEqual([]);
    });

    it('with a new --chart-version changes the version and nothing else, keeping hand edits and comments', async () => {
      await environmentGenerator(tree, { name: 'argo', engines: ['argocd'] });
      await componentGenerator(tree, {
        name: 'airflow',
        chart: 'airflow',
        repo: 'https://airflow.apache.org',
        chartVersion: '1.18.0',
        layer: 'orchestration',
        dependsOn: [],
      });
      const version = `${C}/orchestration/airflow/overlays/staging/version.yaml`;
      tree.write(version, tree.read(version, 'utf-8')!.replace('spec:', '# promoted by hand after review\nspec:'));
      const values = `${C}/orchestration/airflow/overlays/staging/values.yaml`;
      tree.write(values, tree.read(values, 'utf-8') + '# tuned by hand\nworkers:\n  replicas: 4\n');
      const before = snapshot(tree);

      await componentGenerator(tree, { name: 'airflow', chartVersion: '1.19.0' });

      const changed = changedFiles(before, snapshot(tree));
      expect(changed).toEqual([
        'gitops/clusters/argo/argocd/apps/airflow.yaml',
        ...['argo', 'development', 'production', 'staging'].map((e) => `${C}/orchestration/airflow/overlays/${e}/version.yaml`),
      ]);
      expect(tree.read(version, 'utf-8')).toContain('# promoted by hand after review');
      expect(read(tree, version).spec.chart.spec.version).toBe('1.19.0');
      expect(read(tree, 'gitops/clusters/argo/argocd/apps/airflow.yaml').spec.sources[0].targetRevision).toBe('1.19.0');
      for (const path of changed) {
        const lines = (t: string) => t.split('\n');
        const diff = lines(snapshot(tree)[path]).filter((l) => !lines(before[path]).includes(l));
        expect(diff.every((l) => /1\.19\.0/.test(l))).toBe(true);
      }
    });

    it('adds an environment the component was missing, leaving the others alone', async () => {
      await componentGenerator(tree, { name: 'sealed-secrets', environments: ['development'] });
      const before = snapshot(tree);
      await componentGenerator(tree, { name: 'sealed-secrets' });
      const changed = changedFiles(before, snapshot(tree));
      expect(changed.some((p) => p.includes('/overlays/development/'))).toBe(false);
      expect(changed).toContain(`${C}/platform-operators/sealed-secrets/overlays/production/version.yaml`);
    });
  });

  describe('an OCI chart', () => {
    const feast = { name: 'feast', layer: 'ml-lifecycle', chart: 'feast', repo: 'oci://ghcr.io/example/charts/feast' };
    const version = (env: string) => read(tree, `${C}/ml-lifecycle/feast/overlays/${env}/version.yaml`);

    it('writes a version range as ref.semver (a tag would be matched literally) and an exact version as ref.tag', async () => {
      await componentGenerator(tree, { ...feast, chartVersion: '1.2.x', environments: 'development,staging' });
      expect(version('development')).toEqual({
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'OCIRepository',
        metadata: { name: 'feast' },
        spec: { ref: { semver: '1.2.x' } },
      });
      await componentGenerator(tree, { name: 'feast', chartVersion: '1.2.3', environments: 'staging' });
      expect(version('staging').spec).toEqual({ ref: { tag: '1.2.3' } });
      expect(version('development').spec).toEqual({ ref: { semver: '1.2.x' } });
    });

    it('gives an Argo CD Application an OCI source: oci:// repoURL, path ., the version as targetRevision', async () => {
      await environmentGenerator(tree, { name: 'argo', engines: ['argocd'] });
      await componentGenerator(tree, { ...feast, chartVersion: '1.2.x', environments: 'argo' });
      const app = read(tree, 'gitops/clusters/argo/argocd/apps/feast.yaml');
      expect(app.spec.sources[0]).toEqual({
        repoURL: 'oci://ghcr.io/example/charts/feast',
        targetRevision: '1.2.x',
        path: '.',
        helm: {
          releaseName: 'feast',
          valueFiles: [
            '$values/gitops/components/ml-lifecycle/feast/base/values.yaml',
            '$values/gitops/components/ml-lifecycle/feast/overlays/argo/values.yaml',
          ],
        },
      });
      expect(app.spec.sources[1]).toEqual({ repoURL: 'https://github.com/example/mlops-gitops.git', targetRevision: 'main', ref: 'values' });
    });
  });

  describe('an existing component added to another environment', () => {
    const feast = { name: 'feast', layer: 'ml-lifecycle', chart: 'feast-feature-server', repo: 'https://feast-helm-charts.storage.googleapis.com' };

    it('takes the chart version another environment runs, also for a component not in the catalog', async () => {
      await componentGenerator(tree, { ...feast, chartVersion: '0.40.0', environments: 'development' });
      await componentGenerator(tree, { name: 'feast', environments: 'production' });
      expect(read(tree, `${C}/ml-lifecycle/feast/overlays/production/version.yaml`).spec.chart.spec.version).toBe('0.40.0');
    });

    it('prefers what the tree runs over the catalog version', async () => {
      await componentGenerator(tree, { name: 'sealed-secrets', environments: 'development' });
      await componentGenerator(tree, { name: 'sealed-secrets', chartVersion: '9.9.9', environments: 'development' });
      await componentGenerator(tree, { name: 'sealed-secrets', environments: 'staging' });
      expect(read(tree, `${C}/platform-operators/sealed-secrets/overlays/staging/version.yaml`).spec.chart.spec.version).toBe('9.9.9');
    });

    it('refuses to give a pinned environment the range another environment floats on', async () => {
      await componentGenerator(tree, { ...feast, chartVersion: '0.40.x', environments: 'development' });
      const before = snapshot(tree);
      await expect(componentGenerator(tree, { name: 'feast', environments: 'production' })).rejects.toThrow(
        "Environment 'production' pins exact chart versions, but 'feast' would get the range '0.40.x'; give an exact version with 'nx g @mlops/gitops:component feast --chart-version <x.y.z>'.",
      );
      expect(changedFiles(before, snapshot(tree))).toEqual([]);
    });

    it('refuses a helm component whose overlays hold no version, instead of writing an empty one', async () => {
      await componentGenerator(tree, { ...feast, chartVersion: '0.40.0', environments: 'development' });
      tree.delete(`${C}/ml-lifecycle/feast/overlays/development/version.yaml`);
      await expect(componentGenerator(tree, { name: 'feast', environments: 'production' })).rejects.toThrow(
        "Component 'feast' has no chart version in any environment and is not in the catalog, so its overlay in 'production' would have none",
      );
      expect(tree.exists(`${C}/ml-lifecycle/feast/overlays/production`)).toBe(false);
    });
  });

  describe('components that are not in the catalog', () => {
    it('needs --chart, --repo and --chart-version for a chart', async () => {
      await expect(componentGenerator(tree, { name: 'feast', layer: 'ml-lifecycle' })).rejects.toThrow(
        "Component 'feast' is not in the catalog (generators/); give --chart and --repo (and --chart-version), or --kind manifests for plain manifests.",
      );
      await componentGenerator(tree, {
        name: 'feast',
        layer: 'ml-lifecycle',
        chart: 'feast-feature-server',
        repo: 'https://feast-helm-charts.storage.googleapis.com',
        chartVersion: '0.40.0',
      });
      expect(read(tree, `${C}/ml-lifecycle/feast/base/helmrelease.yaml`).spec.chart.spec.chart).toBe('feast-feature-server');
    });

    it('gets a base to fill for plain manifests, wired the same way', async () => {
      await componentGenerator(tree, { name: 'spark-jobs', layer: 'processing-jobs', kind: 'manifests' });
      const base = tree.read(`${C}/processing-jobs/spark-jobs/base/manifests.yaml`, 'utf-8')!;
      expect(base).toContain('Add the component');
      expect(read(tree, `${C}/processing-jobs/spark-jobs/base/kustomization.yaml`).resources).toEqual(['manifests.yaml']);
      expect(read(tree, 'gitops/clusters/development/flux/spark-jobs.yaml').spec.path).toBe(
        './gitops/components/processing-jobs/spark-jobs/overlays/development',
      );
    });
  });

  describe('bad input: a clear error and nothing written', () => {
    const cases: [string, object, string][] = [
      ['a name that is not a DNS-1123 label', { name: 'Redis_Operator' }, "Component name 'Redis_Operator' is not a DNS-1123 label"],
      ['a name that escapes gitops/', { name: '../../etc' }, "Component name '../../etc' would escape the gitops tree"],
      [
        'an unknown layer',
        { name: 'x', layer: 'database', chart: 'x', repo: 'https://x.io', chartVersion: '1.0.0' },
        "Layer 'database' does not exist; existing layers: platform-operators, observability, data-plane, orchestration, ml-lifecycle, processing-jobs.",
      ],
      [
        'an unknown environment',
        { name: 'sealed-secrets', environments: 'prod2' },
        "Environment 'prod2' does not exist; existing environments: development, production, staging.",
      ],
      [
        'a --depends-on on a missing component',
        { name: 'airflow', dependsOn: 'postgres' },
        "--depends-on 'postgres' is not a component of the tree; existing components: cloudnative-pg, postgresql, sealed-secrets.",
      ],
      [
        'a --depends-on on a higher layer',
        { name: 'redis-operator', dependsOn: ['postgresql'] },
        "'redis-operator' (layer platform-operators, order 1) must not depend on 'postgresql' (layer orchestration, order 3)",
      ],
      ['a version that is not semver', { name: 'redis-operator', chartVersion: 'v-next' }, "Chart version 'v-next' is not semver"],
      [
        'a repository that is neither https nor oci',
        { name: 'x', layer: 'orchestration', chart: 'x', repo: 'http://charts.example.com', chartVersion: '1.0.0' },
        "Repository 'http://charts.example.com' is neither an https:// Helm repository nor an oci:// registry",
      ],
      [
        'an existing component with a different chart',
        { name: 'sealed-secrets', chart: 'sealed-secrets', repo: 'oci://registry-1.docker.io/bitnamicharts/sealed-secrets' },
        "Component 'sealed-secrets' already exists with chart 'sealed-secrets' from 'https://bitnami-labs.github.io/sealed-secrets'; refusing chart 'sealed-secrets' from 'oci://registry-1.docker.io/bitnamicharts/sealed-secrets'.",
      ],
      [
        'a range where production pins versions',
        { name: 'redis-operator', chartVersion: '0.26.x' },
        "Chart version '0.26.x' is a range, but production pins exact versions",
      ],
    ];
    it.each(cases)('%s', async (_what, options, message) => {
      for (const name of ['sealed-secrets', 'cloudnative-pg', 'postgresql']) await componentGenerator(tree, { name });
      const before = snapshot(tree);
      await expect(componentGenerator(tree, options as never)).rejects.toThrow(message);
      expect(changedFiles(before, snapshot(tree))).toEqual([]);
    });

    it('a dependency cycle', async () => {
      for (const name of ['cloudnative-pg', 'postgresql', 'airflow']) await componentGenerator(tree, { name });
      const before = snapshot(tree);
      await expect(componentGenerator(tree, { name: 'postgresql', dependsOn: 'airflow' })).rejects.toThrow(
        '--depends-on would create a cycle: postgresql -> airflow -> postgresql.',
      );
      expect(changedFiles(before, snapshot(tree))).toEqual([]);
    });

    it('no platform file yet', async () => {
      const empty = await createGitopsTree([]);
      await expect(componentGenerator(empty, { name: 'sealed-secrets' })).rejects.toThrow('gitops/platform.yaml does not exist');
    });

    it('no environment yet (a platform file, no clusters/)', async () => {
      const empty = await createGitopsTree([]);
      empty.write(
        'gitops/platform.yaml',
        platformYaml({ repository: PLACEHOLDER_REPOSITORY, defaultEngines: ['flux'], secrets: DEFAULT_SECRETS, layers: [...DEFAULT_LAYERS] }),
      );
      await expect(componentGenerator(empty, { name: 'sealed-secrets' })).rejects.toThrow(
        "No environment exists yet; create one first with 'nx g @mlops/gitops:environment development'.",
      );
      expect(empty.exists(`${C}/platform-operators/sealed-secrets`)).toBe(false);
    });

    it('a component.yaml with a kind that is not helm or manifests, naming the file and line', async () => {
      await componentGenerator(tree, { name: 'sealed-secrets' });
      const file = `${C}/platform-operators/sealed-secrets/component.yaml`;
      tree.write(file, tree.read(file, 'utf-8')!.replace('kind: helm', 'kind: manifest'));
      await expect(componentGenerator(tree, { name: 'sealed-secrets' })).rejects.toThrow(
        new RegExp(`^${file}:\\d+: Kind 'manifest' is not allowed; must be one of: helm, manifests\\.`),
      );
    });

    describe('options that differ from the existing component', () => {
      beforeEach(async () => {
        await componentGenerator(tree, { name: 'sealed-secrets', environments: 'development' });
      });

      it('a different --namespace, naming both (not applied to the new environments only)', async () => {
        const before = snapshot(tree);
        await expect(componentGenerator(tree, { name: 'sealed-secrets', namespace: 'secrets', environments: 'staging' })).rejects.toThrow(
          "Component 'sealed-secrets' already exists with namespace 'platform-operators'; refusing --namespace 'secrets'.",
        );
        expect(changedFiles(before, snapshot(tree))).toEqual([]);
      });

      it('a different --crds, naming both', async () => {
        await expect(componentGenerator(tree, { name: 'sealed-secrets', crds: false, environments: 'staging' })).rejects.toThrow(
          "Component 'sealed-secrets' already exists with crds true (its HelmRelease installs CRDs); refusing --crds false.",
        );
      });

      it('the same --namespace and --crds are accepted', async () => {
        await componentGenerator(tree, { name: 'sealed-secrets', namespace: 'platform-operators', crds: true, environments: 'staging' });
        expect(read(tree, 'gitops/clusters/staging/flux/sealed-secrets.yaml').spec.targetNamespace).toBe('platform-operators');
      });
    });
  });

  it('schema.json enums are the vocabulary', () => {
    expect(schema.properties.kind.enum).toEqual([...COMPONENT_KINDS]);
  });
});

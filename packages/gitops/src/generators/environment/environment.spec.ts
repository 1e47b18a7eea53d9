import { Tree } from '@nx/devkit';
import { parse, parseAllDocuments } from 'yaml';
import { ENGINES, SIZES, SYNC_MODES } from '../../model/vocabulary';
import componentGenerator from '../component/component';
import { changedFiles, createGitopsTree, snapshot } from '../shared/testing';
import environmentGenerator from './environment';
import schema from './schema.json';

const read = (tree: Tree, path: string) => parse(tree.read(path, 'utf-8')!);
const readAll = (tree: Tree, path: string) => parseAllDocuments(tree.read(path, 'utf-8')!).map((d) => d.toJS());
const C = 'gitops/components';

describe('environment generator', () => {
  it('starts a new tree: writes platform.yaml with the layers, the settings and the Flux entry point', async () => {
    const tree = await createGitopsTree([]);
    await environmentGenerator(tree, { name: 'development' });
    const platform = read(tree, 'gitops/platform.yaml');
    expect(platform.defaultEngines).toEqual(['flux']);
    expect(platform.layers.map((l: { name: string }) => l.name)).toEqual([
      'platform-operators',
      'observability',
      'data-plane',
      'orchestration',
      'ml-lifecycle',
      'processing-jobs',
    ]);
    expect(read(tree, 'gitops/clusters/development/environment.yaml')).toEqual({
      name: 'development',
      engines: ['flux'],
      sync: 'auto',
      prune: true,
      selfHeal: true,
      pinVersions: false,
      size: 'small',
    });
    expect(read(tree, 'gitops/clusters/development/kustomization.yaml').resources).toEqual(['namespaces.yaml']);
  });

  it('gives production manual sync, pinned versions and the large size', async () => {
    const tree = await createGitopsTree(['production']);
    expect(read(tree, 'gitops/clusters/production/environment.yaml')).toMatchObject({
      sync: 'manual',
      prune: false,
      selfHeal: false,
      pinVersions: true,
      size: 'large',
    });
  });

  describe('on a tree with components', () => {
    let tree: Tree;
    beforeEach(async () => {
      tree = await createGitopsTree();
      for (const name of ['sealed-secrets', 'strimzi-kafka-operator', 'kafka-cluster', 'cloudnative-pg', 'postgresql'])
        await componentGenerator(tree, { name });
    }, 60_000);

    it('adds an overlay of every component and wires each, so the environment deploys the whole platform', async () => {
      await environmentGenerator(tree, { name: 'qa' });
      for (const [layer, c] of [
        ['platform-operators', 'sealed-secrets'],
        ['platform-operators', 'strimzi-kafka-operator'],
        ['data-plane', 'kafka-cluster'],
        ['platform-operators', 'cloudnative-pg'],
        ['orchestration', 'postgresql'],
      ]) {
        expect(tree.exists(`${C}/${layer}/${c}/overlays/qa/kustomization.yaml`)).toBe(true);
        expect(tree.exists(`gitops/clusters/qa/flux/${c}.yaml`)).toBe(true);
      }
      expect(read(tree, 'gitops/clusters/qa/kustomization.yaml').resources).toEqual([
        'namespaces.yaml',
        'flux/cloudnative-pg.yaml',
        'flux/kafka-cluster.yaml',
        'flux/platform-secrets.yaml',
        'flux/postgresql.yaml',
        'flux/sealed-secrets.yaml',
        'flux/strimzi-kafka-operator.yaml',
      ]);
      expect(read(tree, 'gitops/clusters/qa/flux/kafka-cluster.yaml').spec.dependsOn).toEqual([{ name: 'strimzi-kafka-operator' }]);
    });

    it('--from production copies values, versions (with hand edits) and settings', async () => {
      const prodVersion = `${C}/platform-operators/strimzi-kafka-operator/overlays/production/version.yaml`;
      tree.write(prodVersion, tree.read(prodVersion, 'utf-8')!.replace('1.2.0', '1.2.1'));
      const prodValues = `${C}/platform-operators/strimzi-kafka-operator/overlays/production/values.yaml`;
      tree.write(prodValues, tree.read(prodValues, 'utf-8') + 'featureGates: +UseBackgroundPodDeletion\n');

      await environmentGenerator(tree, { name: 'prod-eu', from: 'production' });

      expect(read(tree, 'gitops/clusters/prod-eu/environment.yaml')).toMatchObject({
        name: 'prod-eu',
        sync: 'manual',
        pinVersions: true,
        size: 'large',
        promotesFrom: 'production',
      });
      expect(read(tree, `${C}/platform-operators/strimzi-kafka-operator/overlays/prod-eu/version.yaml`).spec.chart.spec.version).toBe('1.2.1');
      expect(read(tree, `${C}/platform-operators/strimzi-kafka-operator/overlays/prod-eu/values.yaml`).featureGates).toBe(
        '+UseBackgroundPodDeletion',
      );
      expect(read(tree, 'gitops/clusters/prod-eu/flux/postgresql.yaml').spec.sourceRef.name).toBe('gitops-release');
    });

    it('--engines argocd writes the root app, projects and applications instead of Flux objects', async () => {
      await environmentGenerator(tree, { name: 'qa', engines: 'argocd', sync: 'manual' });
      const [rootProject, root] = readAll(tree, 'gitops/clusters/qa/argocd/root.yaml');
      expect(root.spec.source.path).toBe('gitops/clusters/qa/argocd/apps');
      // Least privilege for the root too: its own project, not Argo CD's allow-everything 'default'.
      expect(root.spec.project).toBe('gitops-root');
      expect(root.spec.syncPolicy.automated).toEqual({ prune: false, selfHeal: false });
      expect(rootProject).toMatchObject({ kind: 'AppProject', metadata: { name: 'gitops-root', namespace: 'argocd' } });
      expect(rootProject.spec).toEqual({
        description: expect.any(String),
        sourceRepos: ['https://github.com/example/mlops-gitops.git'],
        destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'argocd' }],
        namespaceResourceWhitelist: [
          { group: 'argoproj.io', kind: 'Application' },
          { group: 'argoproj.io', kind: 'AppProject' },
        ],
        clusterResourceWhitelist: [],
      });
      const app = read(tree, 'gitops/clusters/qa/argocd/apps/kafka-cluster.yaml');
      expect(app.spec.source.path).toBe('gitops/components/data-plane/kafka-cluster/overlays/qa');
      expect(app.spec.syncPolicy.automated).toBeUndefined();
      expect(read(tree, 'gitops/clusters/qa/argocd/apps/project-data-plane.yaml').spec.sourceRepos).toEqual([
        'https://github.com/example/mlops-gitops.git',
      ]);
      expect(tree.exists('gitops/clusters/qa/kustomization.yaml')).toBe(false);
    });

    describe('bad input: a clear error and nothing written', () => {
      const cases: [string, object, string][] = [
        [
          'an environment that already exists',
          { name: 'staging' },
          "Environment 'staging' already exists; existing environments: development, production, staging.",
        ],
        ['a name that is not a DNS-1123 label', { name: 'QA env' }, "Environment name 'QA env' is not a DNS-1123 label"],
        ['a name that escapes gitops/', { name: '../qa' }, "Environment name '../qa' would escape the gitops tree"],
        [
          '--from an unknown environment',
          { name: 'qa', from: 'prod' },
          "--from 'prod' is not an environment; existing environments: development, production, staging.",
        ],
        ['an unknown sync mode', { name: 'qa', sync: 'sometimes' }, "Sync mode 'sometimes' is not allowed; must be one of: auto, manual."],
        ['an unknown engine', { name: 'qa', engines: 'flux,jenkins' }, "Engine 'jenkins' is not allowed; must be one of: flux, argocd."],
      ];
      it.each(cases)('%s', async (_what, options, message) => {
        const before = snapshot(tree);
        await expect(environmentGenerator(tree, options as never)).rejects.toThrow(message);
        expect(changedFiles(before, snapshot(tree))).toEqual([]);
      });
    });

    it('re-running the component generator after adding an environment changes nothing', async () => {
      await environmentGenerator(tree, { name: 'qa', engines: ['flux', 'argocd'] });
      const before = snapshot(tree);
      for (const name of ['sealed-secrets', 'strimzi-kafka-operator', 'kafka-cluster', 'cloudnative-pg', 'postgresql'])
        await componentGenerator(tree, { name });
      expect(changedFiles(before, snapshot(tree))).toEqual([]);
    });
  });

  describe('chart versions of components that are not in the catalog', () => {
    const feast = { name: 'feast', layer: 'ml-lifecycle', chart: 'feast-feature-server', repo: 'https://feast-helm-charts.storage.googleapis.com' };

    it('takes the version the tree runs', async () => {
      const tree = await createGitopsTree(['development']);
      await componentGenerator(tree, { ...feast, chartVersion: '0.40.x' });
      await environmentGenerator(tree, { name: 'qa' });
      expect(read(tree, `${C}/ml-lifecycle/feast/overlays/qa/version.yaml`).spec.chart.spec.version).toBe('0.40.x');
    });

    it('refuses a production that would float on a range, writing nothing', async () => {
      const tree = await createGitopsTree(['development']);
      await componentGenerator(tree, { ...feast, chartVersion: '0.40.x' });
      const before = snapshot(tree);
      await expect(environmentGenerator(tree, { name: 'production' })).rejects.toThrow(
        "Environment 'production' pins exact chart versions, but 'feast' would get the range '0.40.x'",
      );
      expect(changedFiles(before, snapshot(tree))).toEqual([]);
    });
  });

  it('schema.json enums are the vocabulary', () => {
    expect(schema.properties.sync.enum).toEqual([...SYNC_MODES]);
    expect(schema.properties.engines.items.enum).toEqual([...ENGINES]);
    expect(schema.properties.size.enum).toEqual([...SIZES]);
  });
});

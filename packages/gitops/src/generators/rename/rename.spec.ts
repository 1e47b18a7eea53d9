import { Tree } from '@nx/devkit';
import { parse } from 'yaml';
import { changedFiles, createPlatformTree, snapshot } from '../shared/testing';
import syncGenerator from '../sync/sync';
import renameGenerator, { clusterEffects, normalizeOptions } from './rename';

const CL = 'gitops/clusters';
const read = (tree: Tree, path: string) => parse(tree.read(path, 'utf-8')!);

describe('rename generator', () => {
  let tree: Tree;
  beforeEach(async () => {
    tree = await createPlatformTree(['cloudnative-pg', 'postgresql', 'airflow'], { production: false });
  }, 60_000);

  it('moves the folder and renames the engine entries and every dependsOn naming it', async () => {
    await renameGenerator(tree, { component: 'postgresql', to: 'metadata-db' });
    expect(tree.exists('gitops/components/orchestration/postgresql/component.yaml')).toBe(false);
    expect(read(tree, 'gitops/components/orchestration/metadata-db/component.yaml').name).toBe('metadata-db');
    expect(read(tree, 'gitops/components/orchestration/airflow/component.yaml').dependsOn).toEqual(['metadata-db']);
    for (const env of ['development', 'staging']) {
      expect(tree.exists(`${CL}/${env}/flux/postgresql.yaml`)).toBe(false);
      expect(read(tree, `${CL}/${env}/flux/metadata-db.yaml`).spec.path).toBe(`./gitops/components/orchestration/metadata-db/overlays/${env}`);
      expect(read(tree, `${CL}/${env}/flux/airflow.yaml`).spec.dependsOn).toEqual([{ name: 'metadata-db' }, { name: 'platform-secrets' }]);
    }
    expect(read(tree, `${CL}/staging/argocd/apps/metadata-db.yaml`).metadata.name).toBe('metadata-db');
    expect(tree.exists(`${CL}/staging/argocd/apps/postgresql.yaml`)).toBe(false);
  });

  it('keeps the running Helm release: release name pinned, base objects unchanged, kept during the handover', async () => {
    const release = tree.read('gitops/components/orchestration/airflow/base/helmrelease.yaml', 'utf-8');
    await renameGenerator(tree, { component: 'airflow', to: 'workflows' });
    const base = 'gitops/components/orchestration/workflows/base';
    expect(read(tree, 'gitops/components/orchestration/workflows/component.yaml').releaseName).toBe('airflow');
    expect(tree.read(`${base}/helmrelease.yaml`, 'utf-8')).toBe(release);
    expect(read(tree, `${base}/kustomization.yaml`).commonAnnotations).toEqual({ 'kustomize.toolkit.fluxcd.io/prune': 'disabled' });
    expect(read(tree, `${CL}/staging/argocd/apps/workflows.yaml`).spec.sources[0].helm.releaseName).toBe('airflow');
  });

  it('leaves a tree nx sync has nothing to change in', async () => {
    await renameGenerator(tree, { component: 'airflow', to: 'workflows' });
    expect(await syncGenerator(tree)).toBeUndefined();
  });

  it('says what each engine does, and what a person runs before merging for Argo CD', () => {
    const lines = clusterEffects(normalizeOptions(tree, { component: 'airflow', to: 'workflows' }));
    expect(lines.find((l) => l.startsWith('  Flux (staging)'))).toContain('no uninstall');
    expect(lines.find((l) => l.startsWith('  Argo CD (staging)'))).toContain('kubectl -n argocd patch application airflow --type json');
  });

  describe('refused, writing nothing', () => {
    it.each([
      [
        'a name that exists',
        { component: 'airflow', to: 'postgresql' },
        "Component 'postgresql' already exists (layer orchestration); choose a name no component has.",
      ],
      ['a name that is not a DNS-1123 label', { component: 'airflow', to: 'Air_Flow' }, "New name (--to) 'Air_Flow' is not a DNS-1123 label"],
      ['a name that escapes the tree', { component: 'airflow', to: '../x' }, "New name (--to) '../x' would escape the gitops tree"],
      ['an unknown component', { component: 'redis', to: 'cache' }, "Component 'redis' does not exist"],
    ])('%s', async (_what, options, message) => {
      const before = snapshot(tree);
      await expect(renameGenerator(tree, options)).rejects.toThrow(message);
      expect(changedFiles(before, snapshot(tree))).toEqual([]);
    });
  });
});

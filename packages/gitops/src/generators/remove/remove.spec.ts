import { Tree } from '@nx/devkit';
import { parse } from 'yaml';
import { changedFiles, createPlatformTree, snapshot } from '../shared/testing';
import removeGenerator, { clusterEffects, normalizeOptions } from './remove';

const CL = 'gitops/clusters';

/** development and production (Flux), staging (Flux and Argo CD); an operator, the database and airflow on it. */

const mentioning = (tree: Tree, name: string) =>
  Object.entries(snapshot(tree))
    .filter(([path, text]) => path.includes(`/${name}`) || new RegExp(`\\b${name}\\b`).test(text))
    .map(([path]) => path);

describe('remove generator', () => {
  let tree: Tree;
  beforeEach(async () => {
    tree = await createPlatformTree(['cloudnative-pg', 'postgresql', 'airflow']);
  }, 60_000);

  it('removes the component and everything derived from it, in every environment', async () => {
    await removeGenerator(tree, { component: 'airflow' });
    expect(tree.exists('gitops/components/orchestration/airflow/component.yaml')).toBe(false);
    // What is left may name airflow only in another component's own sources (postgresql's database for it).
    expect(mentioning(tree, 'airflow').filter((p) => !p.startsWith('gitops/components/orchestration/postgresql/'))).toEqual([]);
    expect(parse(tree.read(`${CL}/staging/kustomization.yaml`, 'utf-8')!).resources).not.toContain('flux/airflow.yaml');
    expect(parse(tree.read(`${CL}/staging/argocd/apps/project-orchestration.yaml`, 'utf-8')!).spec.sourceRepos).not.toContain(
      'https://airflow.apache.org',
    );
  });

  it('with --environments takes it out of those only, keeping its folder', async () => {
    await removeGenerator(tree, { component: 'airflow', environments: 'development' });
    expect(tree.exists('gitops/components/orchestration/airflow/overlays/development/kustomization.yaml')).toBe(false);
    expect(tree.exists(`${CL}/development/flux/airflow.yaml`)).toBe(false);
    expect(tree.exists(`${CL}/staging/flux/airflow.yaml`)).toBe(true);
    expect(tree.exists('gitops/components/orchestration/airflow/base/helmrelease.yaml')).toBe(true);
  });

  it('a second run of a partial removal is refused: it is no longer deployed there', async () => {
    await removeGenerator(tree, { component: 'airflow', environments: 'development' });
    await expect(removeGenerator(tree, { component: 'airflow', environments: 'development' })).rejects.toThrow(
      "Component 'airflow' is not deployed in development; it is deployed in: production, staging.",
    );
  });

  it('says what each engine does in the cluster, and what a person runs where the environment syncs manually', () => {
    const lines = clusterEffects(normalizeOptions(tree, { component: 'airflow' }));
    expect(lines[0]).toBe('Removed airflow from development, production, staging. In the clusters, once merged:');
    expect(lines).toContain(
      "  Flux (development): the parent Kustomization prunes the Kustomization 'airflow', whose garbage collection deletes the HelmRelease 'airflow', and helm-controller uninstalls the Helm release 'airflow'.",
    );
    expect(lines.find((l) => l.startsWith('  Flux (production)'))).toContain('a person runs: kubectl -n orchestration delete helmrelease airflow');
    expect(lines.find((l) => l.startsWith('  Argo CD (staging)'))).toContain('its resources finalizer deletes everything it deployed');
  });

  describe('refused, writing nothing', () => {
    it.each([
      [
        'a component others depend on',
        { component: 'postgresql' },
        "Component 'postgresql' cannot be removed: airflow (development, production, staging) depends on it.",
      ],
      [
        'a dependency in the environments it leaves',
        { component: 'postgresql', environments: 'staging' },
        "Component 'postgresql' cannot be removed: airflow (staging) depends on it.",
      ],
      ['an unknown component', { component: 'redis' }, "Component 'redis' does not exist; existing components: airflow, cloudnative-pg, postgresql."],
      [
        'an unknown environment',
        { component: 'airflow', environments: 'qa' },
        "Environment 'qa' does not exist; existing environments: development, production, staging.",
      ],
    ])('%s', async (_what, options, message) => {
      const before = snapshot(tree);
      await expect(removeGenerator(tree, options)).rejects.toThrow(message);
      expect(changedFiles(before, snapshot(tree))).toEqual([]);
    });
  });
});

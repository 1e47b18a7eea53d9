import { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { parse, parseDocument } from 'yaml';
import { argoApplicationFile, overlayFile, VALUES_FILE, VERSION_PATCH_FILE } from '../../model/layout';
import { componentGenerator } from '../component/component';
import { initGenerator } from '../init/init';
import { releaseGenerator } from './release';

const versionFile = (env: string) => overlayFile('orchestration', 'redis', env, VERSION_PATCH_FILE);
const valuesFile = (env: string) => overlayFile('orchestration', 'redis', env, VALUES_FILE);
const chartVersion = (tree: Tree, env: string) => parse(tree.read(versionFile(env), 'utf-8')!).spec.chart.spec.version;

async function treeWithRedis(engines: 'flux' | 'flux,argocd' = 'flux'): Promise<Tree> {
  const tree = createTreeWithEmptyWorkspace({ formatter: 'prettier' } as never);
  await initGenerator(tree, { ci: 'none', engines });
  await componentGenerator(tree, {
    name: 'redis',
    layer: 'orchestration',
    chart: 'redis',
    repo: 'https://charts.bitnami.com/bitnami',
    chartVersion: '20.1.0',
  });
  return tree;
}

describe('release generator', () => {
  describe('--chartVersion', () => {
    it('sets the chart version of one environment and leaves the others', async () => {
      const tree = await treeWithRedis();
      await releaseGenerator(tree, { component: 'redis', environment: 'staging', chartVersion: '20.2.0' });
      expect(chartVersion(tree, 'staging')).toBe('20.2.0');
      expect(chartVersion(tree, 'development')).toBe('20.1.0');
      expect(chartVersion(tree, 'production')).toBe('20.1.0');
    });

    it("keeps the Argo CD Application's targetRevision equal to it", async () => {
      const tree = await treeWithRedis('flux,argocd');
      await releaseGenerator(tree, { component: 'redis', environment: 'production', chartVersion: '20.3.1' });
      const app = parse(tree.read(argoApplicationFile('production', 'redis'), 'utf-8')!);
      expect(app.spec.sources[0].targetRevision).toBe('20.3.1');
      expect(chartVersion(tree, 'production')).toBe('20.3.1');
    });

    it('pins an OCI chart that floated on a semver range: ref.semver becomes ref.tag, and Argo CD follows', async () => {
      const tree = await treeWithRedis('flux,argocd');
      await componentGenerator(tree, {
        name: 'valkey',
        layer: 'orchestration',
        chart: 'valkey',
        repo: 'oci://registry-1.docker.io/bitnamicharts/valkey',
        chartVersion: '2.x',
        environments: 'staging',
      });
      const file = overlayFile('orchestration', 'valkey', 'staging', VERSION_PATCH_FILE);
      expect(parse(tree.read(file, 'utf-8')!).spec).toEqual({ ref: { semver: '2.x' } });
      await releaseGenerator(tree, { component: 'valkey', environment: 'staging', chartVersion: '2.4.7' });
      expect(parse(tree.read(file, 'utf-8')!).spec).toEqual({ ref: { tag: '2.4.7' } });
      expect(parse(tree.read(argoApplicationFile('staging', 'valkey'), 'utf-8')!).spec.sources[0].targetRevision).toBe('2.4.7');
    });

    it('refuses a range and a non-semver version', async () => {
      const tree = await treeWithRedis();
      await expect(releaseGenerator(tree, { component: 'redis', environment: 'staging', chartVersion: '20.x' })).rejects.toThrow(
        "Chart version '20.x' is not an exact semver version; a release sets one version such as '1.2.3'.",
      );
      await expect(releaseGenerator(tree, { component: 'redis', environment: 'staging', chartVersion: 'v-next' })).rejects.toThrow(
        "Chart version 'v-next' is not an exact semver version",
      );
    });
  });

  describe('--imageTag', () => {
    it('sets image.tag in the environment values, keeping comments and other keys', async () => {
      const tree = await treeWithRedis();
      tree.write(valuesFile('staging'), '# staging sizing, tuned by hand\nreplica:\n  replicaCount: 1 # one is enough here\n');
      await releaseGenerator(tree, { component: 'redis', environment: 'staging', imageTag: '7.4.1' });
      const text = tree.read(valuesFile('staging'), 'utf-8')!;
      expect(text).toContain('# staging sizing, tuned by hand');
      expect(text).toContain('# one is enough here');
      expect(parseDocument(text).toJS()).toEqual({ replica: { replicaCount: 1 }, image: { tag: '7.4.1' } });
    });

    it('writes to another values key with --valuesKey', async () => {
      const tree = await treeWithRedis();
      await releaseGenerator(tree, { component: 'redis', environment: 'development', imageTag: '7.4.1', valuesKey: 'master.image.tag' });
      expect(parse(tree.read(valuesFile('development'), 'utf-8')!).master.image.tag).toBe('7.4.1');
    });

    it("refuses 'latest'", async () => {
      const tree = await treeWithRedis();
      await expect(releaseGenerator(tree, { component: 'redis', environment: 'staging', imageTag: 'latest' })).rejects.toThrow(
        "Image tag 'latest' is refused",
      );
    });
  });

  describe('what CI passes', () => {
    it('treats empty inputs as unchanged, and a second run changes nothing', async () => {
      const tree = await treeWithRedis();
      await releaseGenerator(tree, { component: 'redis', environment: 'staging', chartVersion: '20.2.0', imageTag: '' });
      expect(parse(tree.read(valuesFile('staging'), 'utf-8')!)).toEqual({});
      const before = tree.listChanges().map((c) => [c.path, c.content?.toString()]);
      await releaseGenerator(tree, { component: 'redis', environment: 'staging', chartVersion: '20.2.0', imageTag: '' });
      expect(tree.listChanges().map((c) => [c.path, c.content?.toString()])).toEqual(before);
    });

    it('refuses a release with nothing to set', async () => {
      const tree = await treeWithRedis();
      await expect(releaseGenerator(tree, { component: 'redis', environment: 'staging', chartVersion: '', imageTag: ' ' })).rejects.toThrow(
        "Nothing to release for 'redis': give --chartVersion, --imageTag or both.",
      );
    });

    it('refuses an unknown component or environment, listing what exists', async () => {
      const tree = await treeWithRedis();
      await expect(releaseGenerator(tree, { component: 'redis-cluster', environment: 'staging', chartVersion: '1.0.0' })).rejects.toThrow(
        "Component 'redis-cluster' does not exist; existing components: redis.",
      );
      await expect(releaseGenerator(tree, { component: 'redis', environment: 'prod', chartVersion: '1.0.0' })).rejects.toThrow(
        "Environment 'prod' does not exist; existing environments: development, production, staging.",
      );
    });
  });
});

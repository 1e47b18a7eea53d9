import { Tree } from '@nx/devkit';
import { parse } from 'yaml';
import componentGenerator from '../component/component';
import { changedFiles, createGitopsTree, snapshot } from '../shared/testing';
import releaseGenerator from '../release/release';
import promoteGenerator from './promote';

const version = (tree: Tree, env: string) =>
  parse(tree.read(`gitops/components/ml-lifecycle/mlflow/overlays/${env}/version.yaml`, 'utf-8')!).spec.chart.spec.version;
const imageTag = (tree: Tree, env: string) => parse(tree.read(`gitops/components/ml-lifecycle/mlflow/overlays/${env}/values.yaml`, 'utf-8')!)?.image?.tag;

describe('promote generator', () => {
  let tree: Tree;
  let catalogVersion: string;
  beforeEach(async () => {
    tree = await createGitopsTree();
    for (const name of ['cloudnative-pg', 'postgresql', 'minio-operator', 'minio-tenant', 'mlflow']) await componentGenerator(tree, { name });
    catalogVersion = version(tree, 'production');
  }, 60_000);

  it('copies the chart version from the environment the target promotes from, and only there', async () => {
    await releaseGenerator(tree, { component: 'mlflow', environment: 'staging', chartVersion: '9.9.9' });
    await promoteGenerator(tree, { components: 'mlflow', to: 'production' });
    expect(version(tree, 'production')).toBe('9.9.9');
    expect(version(tree, 'development')).toBe(catalogVersion);
  });

  it('copies the image tags the blueprint names, keeping the comments of values.yaml', async () => {
    await releaseGenerator(tree, { component: 'mlflow', environment: 'staging', imageTag: '3.4.0' });
    const values = 'gitops/components/ml-lifecycle/mlflow/overlays/production/values.yaml';
    tree.write(values, `# tuned by the ML team\n${tree.read(values, 'utf-8')}`);
    await promoteGenerator(tree, { components: ['mlflow'], to: 'production' });
    expect(imageTag(tree, 'production')).toBe('3.4.0');
    expect(tree.read(values, 'utf-8')).toMatch(/^# tuned by the ML team\n/);
  });

  it('writes nothing when everything is up to date, and a second run changes nothing', async () => {
    const before = snapshot(tree);
    await promoteGenerator(tree, { components: 'mlflow', to: 'production' });
    expect(changedFiles(before, snapshot(tree))).toEqual([]);
    await releaseGenerator(tree, { component: 'mlflow', environment: 'staging', chartVersion: '9.9.9' });
    await promoteGenerator(tree, { all: true, to: 'production', summaryFile: 'promotion.md' });
    const once = snapshot(tree);
    await promoteGenerator(tree, { all: true, to: 'production' });
    expect(changedFiles(once, snapshot(tree))).toEqual([]);
  });

  it('--summary-file writes the table as Markdown for a pull request', async () => {
    await releaseGenerator(tree, { component: 'mlflow', environment: 'staging', chartVersion: '9.9.9' });
    await promoteGenerator(tree, { all: true, to: 'production', summaryFile: 'promotion.md' });
    const md = tree.read('promotion.md', 'utf-8')!;
    expect(md).toMatch(/^## Promotion staging → production\n/);
    expect(md).toMatch(new RegExp(`\\| mlflow +\\| production +\\| chart +\\| ${catalogVersion.replace(/\./g, '\\.')} → 9\\.9\\.9 +\\|`));
    expect(md).toMatch(/\| minio-operator +\| production +\| chart +\| .* \(up to date\) +\|/);
  });

  describe('refused, writing nothing', () => {
    beforeEach(async () => {
      await releaseGenerator(tree, { component: 'mlflow', environment: 'production', chartVersion: '99.0.0' });
    });
    it.each([
      ['a downgrade', { components: 'mlflow', to: 'production' }, `Promoting 'mlflow' would downgrade production from 99.0.0 to `],
      ['an unknown environment', { components: 'mlflow', to: 'prod' }, "Environment --to 'prod' does not exist; existing environments: development, production, staging."],
      ['an unknown component', { components: 'feast', to: 'production' }, "Component 'feast' does not exist"],
      ['no component and no --all', { to: 'production' }, 'Name the components to promote, or give --all.'],
      ['an environment without promotesFrom and no --from', { components: 'mlflow', to: 'development' }, "Environment 'development' names no promotesFrom"],
    ])('%s', async (_what, options, message) => {
      const before = snapshot(tree);
      await expect(promoteGenerator(tree, options)).rejects.toThrow(message);
      expect(changedFiles(before, snapshot(tree))).toEqual([]);
    });

    it('a downgrade goes through with --allow-downgrade', async () => {
      await promoteGenerator(tree, { components: 'mlflow', to: 'production', allowDowngrade: true });
      expect(version(tree, 'production')).toBe(catalogVersion);
    });

    it('a range into an environment that pins versions', async () => {
      await componentGenerator(tree, { name: 'mlflow', chartVersion: '1.x', environments: 'staging' });
      await expect(promoteGenerator(tree, { components: 'mlflow', to: 'production', allowDowngrade: true })).rejects.toThrow(
        "Environment 'production' pins exact chart versions, but 'mlflow' would get the range '1.x'",
      );
    });
  });
});

import { logger, Tree } from '@nx/devkit';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import componentGenerator from '../component/component';
import { changedFiles, createGitopsTree, snapshot } from '../shared/testing';
import releaseGenerator from '../release/release';
import promoteGenerator from './promote';

const version = (tree: Tree, env: string) =>
  parse(tree.read(`gitops/components/ml-lifecycle/mlflow/overlays/${env}/version.yaml`, 'utf-8')!).spec.chart.spec.version;
const imageTag = (tree: Tree, env: string) =>
  parse(tree.read(`gitops/components/ml-lifecycle/mlflow/overlays/${env}/values.yaml`, 'utf-8')!)?.image?.tag;

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
      [
        'an unknown environment',
        { components: 'mlflow', to: 'prod' },
        "Environment --to 'prod' does not exist; existing environments: development, production, staging.",
      ],
      ['an unknown component', { components: 'feast', to: 'production' }, "Component 'feast' does not exist"],
      ['no component and no --all', { to: 'production' }, 'Name the components to promote, or give --all (or --tag alone).'],
      [
        'an environment without promotesFrom and no --from',
        { components: 'mlflow', to: 'development' },
        "Environment 'development' names no promotesFrom",
      ],
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

  describe('--tag: the release gate of a manually synced environment', () => {
    let repo: string;
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const release = () => parse(tree.read('gitops/clusters/production/environment.yaml', 'utf-8')!).release;
    const releaseSource = () => parse(tree.read('gitops/clusters/production/release.yaml', 'utf-8')!).spec.ref;
    let info: jest.SpyInstance;

    beforeEach(async () => {
      // Real history: two reviewed commits, tagged v1.0.0 and v1.1.0; the tree's root is that repository.
      repo = mkdtempSync(join(tmpdir(), 'promote-tag-'));
      git('init', '-q');
      for (const tag of ['v1.0.0', 'v1.1.0']) {
        git('-c', 'user.email=test@example.com', '-c', 'user.name=test', 'commit', '-q', '--allow-empty', '-m', `release ${tag}`);
        git('tag', tag);
      }
      Object.defineProperty(tree, 'root', { value: repo });
      await releaseGenerator(tree, { component: 'mlflow', environment: 'staging', chartVersion: '9.9.9' });
      info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    });
    afterEach(() => {
      info.mockRestore();
      rmSync(repo, { recursive: true, force: true });
    });

    it('promotes the components and points the environment at the tag, with the same edit as release --tag', async () => {
      await promoteGenerator(tree, { components: 'mlflow', to: 'production', tag: 'v1.1.0', summaryFile: 'promotion.md' });
      expect(version(tree, 'production')).toBe('9.9.9');
      expect(release()).toBe('v1.1.0');
      expect(releaseSource()).toEqual({ tag: 'v1.1.0' });
      const lines = info.mock.calls.map((c) => String(c[0]));
      expect(lines[0]).toBe('Promoting 2 changes from staging to production:');
      expect(lines).toContainEqual(expect.stringMatching(/^\(release tag\) +production +release +\(unset\) → v1\.1\.0$/));
      expect(lines).toContain(`production: released v1.1.0 (commit ${git('rev-parse', 'v1.1.0').slice(0, 12)})`);
      expect(tree.read('promotion.md', 'utf-8')).toMatch(/\| \(release tag\) +\| production +\| release +\| \(unset\) → v1\.1\.0 +\|/);
    });

    it('alone moves only the tag: a rollback to an older one, and a second run changes nothing', async () => {
      await promoteGenerator(tree, { to: 'production', tag: 'v1.1.0' });
      const before = snapshot(tree);
      await promoteGenerator(tree, { to: 'production', tag: 'v1.0.0', summaryFile: 'rollback.md' });
      expect(changedFiles(before, snapshot(tree))).toEqual([
        'gitops/clusters/production/environment.yaml',
        'gitops/clusters/production/release.yaml',
      ]);
      expect(releaseSource()).toEqual({ tag: 'v1.0.0' });
      expect(version(tree, 'production')).toBe(catalogVersion);
      expect(tree.read('rollback.md', 'utf-8')).toMatch(/\| \(release tag\) +\| production +\| release +\| v1\.1\.0 → v1\.0\.0 \(rollback\) +\|/);
      const once = snapshot(tree);
      await promoteGenerator(tree, { to: 'production', tag: 'v1.0.0' });
      expect(changedFiles(once, snapshot(tree))).toEqual([]);
    });

    it.each([
      [
        'a tag that is not in the Git history',
        { components: 'mlflow', to: 'production', tag: 'v2.0.0' },
        "Tag 'v2.0.0' does not exist in the Git repository at ",
      ],
      [
        'an environment that syncs automatically',
        { components: 'mlflow', to: 'staging', from: 'development', tag: 'v1.0.0', allowDowngrade: true },
        "Environment 'staging' syncs automatically (sync: auto); a release tag gates only environments with sync: manual.",
      ],
      ['a tag that is not a Git tag name', { to: 'production', tag: 'v1..0' }, "Release tag 'v1..0' is not a Git tag name"],
    ])('refuses %s, writing nothing', async (_what, options, message) => {
      const before = snapshot(tree);
      await expect(promoteGenerator(tree, options)).rejects.toThrow(message);
      expect(changedFiles(before, snapshot(tree))).toEqual([]);
    });
  });
});

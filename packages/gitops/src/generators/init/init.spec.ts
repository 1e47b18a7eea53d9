import { readNxJson, Tree, updateNxJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { flushChanges, FsTree } from 'nx/src/generators/tree';
import { parse } from 'yaml';
import { environmentFile, platformFile } from '../../model/layout';
import { DEFAULT_LAYERS, parsePlatform } from '../../model/platform';
import { initGenerator, GITLAB_JOBS_FILE } from './init';

const GITHUB_VALIDATE = '.github/workflows/gitops-validate.yml';
const GITHUB_RELEASE = '.github/workflows/gitops-release.yml';
const GITLAB_ENTRY = '.gitlab-ci.yml';
const PIPELINE_FILES = [GITHUB_VALIDATE, GITHUB_RELEASE, GITLAB_JOBS_FILE, GITLAB_ENTRY];
const WORKSPACE_ROOT = join(__dirname, '../../../../..');

function emptyTree(): Tree {
  return createTreeWithEmptyWorkspace({ formatter: 'prettier' } as never);
}

function pluginEntries(tree: Tree): unknown[] {
  return (readNxJson(tree)?.plugins ?? []).filter((p) => (typeof p === 'string' ? p : p.plugin) === '@mlops/gitops');
}

describe('init generator', () => {
  describe('with defaults', () => {
    let tree: Tree;
    beforeAll(async () => {
      tree = emptyTree();
      await initGenerator(tree, {});
    });

    it('registers the plugin in nx.json once', () => {
      expect(pluginEntries(tree)).toEqual([{ plugin: '@mlops/gitops', options: {} }]);
    });

    it('registers the sync generator so `nx sync:check` guards the derived files', () => {
      expect(readNxJson(tree)?.sync?.globalGenerators).toEqual(['@mlops/gitops:sync']);
    });

    it('writes the platform file with the default layers and Flux', () => {
      const platform = parsePlatform(platformFile(), tree.read(platformFile(), 'utf-8')!);
      expect(platform.defaultEngines).toEqual(['flux']);
      expect(platform.layers.map((l) => [l.name, l.order, l.namespace])).toEqual(
        [...DEFAULT_LAYERS].sort((a, b) => a.order - b.order).map((l) => [l.name, l.order, l.namespace]),
      );
    });

    it('creates development, staging and production, production manual and pinned', () => {
      for (const env of ['development', 'staging', 'production']) expect(tree.exists(environmentFile(env))).toBe(true);
      const production = parse(tree.read(environmentFile('production'), 'utf-8')!);
      expect(production).toMatchObject({ sync: 'manual', pinVersions: true });
    });

    it('writes the GitHub and GitLab pipelines: affected on PR/MR, everything on main, a release job', () => {
      for (const f of PIPELINE_FILES) expect(tree.exists(f)).toBe(true);
      const validate = tree.read(GITHUB_VALIDATE, 'utf-8')!;
      expect(validate).toContain('npx nx affected -t validate --base="$NX_BASE"');
      expect(validate).toContain('npx nx run-many -t validate');
      expect(parse(validate).on).toEqual({ pull_request: null, push: { branches: ['main'] } });
      const gitlab = parse(tree.read(GITLAB_JOBS_FILE, 'utf-8')!);
      expect(gitlab['gitops-validate-affected'].script.join('\n')).toContain('--base="$CI_MERGE_REQUEST_DIFF_BASE_SHA"');
      expect(validate).toContain('npx nx sync:check');
      // Code scanning shows the findings on the pull request's lines.
      expect(parse(validate).jobs.validate.steps).toContainEqual(
        expect.objectContaining({
          uses: 'github/codeql-action/upload-sarif@v3',
          with: { sarif_file: 'gitops-validate.sarif', category: 'gitops-validate' },
        }),
      );
      expect(parse(validate).permissions['security-events']).toBe('write');
      expect(gitlab['gitops-validate-all'].script[0]).toBe('npx nx sync:check');
      expect(gitlab['gitops-release'].script.join('\n')).toMatch(/npx nx g @mlops\/gitops:release[\s\S]*--no-interactive/);
      expect(gitlab['gitops-release'].script.join('\n')).toContain('[skip ci]');
      expect(parse(tree.read(GITHUB_RELEASE, 'utf-8')!).on.workflow_dispatch.inputs).toHaveProperty('chart-version');
      expect(parse(tree.read(GITLAB_ENTRY, 'utf-8')!).include).toEqual([{ local: GITLAB_JOBS_FILE }]);
    });

    it('the GitLab release job takes a release tag, as the GitHub workflow does: one pipeline releases or rolls back production', () => {
      const gitlab = parse(tree.read(GITLAB_JOBS_FILE, 'utf-8')!);
      // Pipeline variables with a description: the Run pipeline form lists them.
      for (const name of ['GITOPS_COMPONENT', 'GITOPS_ENVIRONMENT', 'GITOPS_CHART_VERSION', 'GITOPS_IMAGE_TAG', 'GITOPS_RELEASE_TAG']) {
        expect(gitlab.variables[name]).toEqual({ value: '', description: expect.stringMatching(/^Release: /) });
      }
      const job = gitlab['gitops-release'];
      expect(job.rules).toEqual([{ if: '$GITOPS_ENVIRONMENT && ($GITOPS_COMPONENT || $GITOPS_RELEASE_TAG) && $CI_COMMIT_BRANCH == "main"' }]);
      const script = job.script.join('\n');
      expect(script).toContain('git tag "$GITOPS_RELEASE_TAG"');
      expect(script).toContain('--environment="$GITOPS_ENVIRONMENT" --tag="$GITOPS_RELEASE_TAG"');
      expect(script).toContain('npx nx run "env-$GITOPS_ENVIRONMENT:validate"');
      expect(gitlab['gitops-validate-all'].rules[0]).toEqual({ if: '$GITOPS_COMPONENT || $GITOPS_RELEASE_TAG', when: 'never' });
      expect(tree.read(GITLAB_JOBS_FILE, 'utf-8')).toContain(
        'glab ci run -b main --variables GITOPS_ENVIRONMENT:production --variables GITOPS_RELEASE_TAG:v1.4.0',
      );
    });

    it('posts the preview of a PR/MR as one sticky comment, edited on each push', () => {
      const github = parse(tree.read(GITHUB_VALIDATE, 'utf-8')!).jobs.preview;
      expect(github.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
      expect(github.steps.map((s: { run?: string }) => s.run).join('\n')).toContain(
        'preview --base HEAD^1 --head HEAD --format markdown --output gitops-preview.md',
      );
      expect(github.steps.at(-1)).toEqual({
        uses: 'marocchino/sticky-pull-request-comment@v2',
        with: { header: 'mlops-gitops-preview', path: 'gitops-preview.md' },
      });
      const gitlab = parse(tree.read(GITLAB_JOBS_FILE, 'utf-8')!)['gitops-preview'];
      expect(gitlab.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
      expect(gitlab.script.join('\n')).toContain('--base "$CI_MERGE_REQUEST_DIFF_BASE_SHA" --head "$CI_COMMIT_SHA"');
      expect(gitlab.script.at(-1)).toBe('node node_modules/@mlops/gitops/dist/cli/gitlab-note.js gitops-preview.md');
    });
  });

  describe('options', () => {
    it('takes environments as a comma-separated list and the engine', async () => {
      const tree = emptyTree();
      await initGenerator(tree, { environments: 'dev, qa,prod', engines: 'argocd', ci: 'none' });
      expect(tree.children('gitops/clusters').sort()).toEqual(['dev', 'prod', 'qa']);
      expect(parsePlatform(platformFile(), tree.read(platformFile(), 'utf-8')!).defaultEngines).toEqual(['argocd']);
      for (const f of PIPELINE_FILES) expect(tree.exists(f)).toBe(false);
    });

    it('writes only the GitHub pipelines with --ci=github', async () => {
      const tree = emptyTree();
      await initGenerator(tree, { ci: 'github' });
      expect(PIPELINE_FILES.filter((f) => tree.exists(f))).toEqual([GITHUB_VALIDATE, GITHUB_RELEASE]);
    });

    it('uses the git origin remote as the repository the engines pull', async () => {
      const tree = emptyTree();
      tree.write('.git/config', '[core]\n\tbare = false\n[remote "origin"]\n\turl = git@gitlab.example.com:platform/gitops.git\n');
      await initGenerator(tree, { ci: 'none' });
      expect(parsePlatform(platformFile(), tree.read(platformFile(), 'utf-8')!).repository).toEqual({
        url: 'ssh://git@gitlab.example.com/platform/gitops.git',
        branch: 'main',
      });
    });

    it('falls back to a placeholder when origin is a local path, and refuses such a --repositoryUrl', async () => {
      const tree = emptyTree();
      tree.write('.git/config', '[remote "origin"]\n\turl = /srv/git/gitops.git\n');
      await initGenerator(tree, { ci: 'none' });
      expect(parsePlatform(platformFile(), tree.read(platformFile(), 'utf-8')!).repository.url).toBe('https://github.com/example/mlops-gitops.git');
      await expect(initGenerator(emptyTree(), { repositoryUrl: '/srv/git/gitops.git' })).rejects.toThrow(
        "Repository URL '/srv/git/gitops.git' is not a Git URL the engines can pull",
      );
    });

    it('refuses a bad environment name, an unknown engine and an unknown CI', async () => {
      await expect(initGenerator(emptyTree(), { environments: ['Prod'] })).rejects.toThrow("Environment 'Prod' is not a DNS-1123 label");
      await expect(initGenerator(emptyTree(), { engines: 'helm' })).rejects.toThrow("Engine 'helm' is not allowed; must be one of: flux, argocd.");
      await expect(initGenerator(emptyTree(), { ci: 'jenkins' as never })).rejects.toThrow(
        "CI 'jenkins' is not allowed; must be one of: github, gitlab, both, none.",
      );
    });
  });

  describe('on a workspace that has things already', () => {
    it('refuses a gitops/ folder of another shape and writes nothing', async () => {
      const tree = emptyTree();
      tree.write('gitops/apps/podinfo.yaml', 'kind: HelmRelease\n');
      const nxJsonBefore = tree.read('nx.json', 'utf-8');
      await expect(initGenerator(tree, {})).rejects.toThrow("Folder 'gitops/' already exists but has no gitops/platform.yaml");
      expect(tree.read('nx.json', 'utf-8')).toBe(nxJsonBefore);
      expect(tree.exists(environmentFile('development'))).toBe(false);
    });

    it('refuses a platform file that does not parse, naming it', async () => {
      const tree = emptyTree();
      tree.write(platformFile(), 'layers: []\n');
      await expect(initGenerator(tree, {})).rejects.toThrow(
        /gitops\/platform.yaml exists but is not a platform file of @mlops\/gitops: .*'layers' must list at least one layer/,
      );
    });

    it('keeps a plugin registered as a plain string', async () => {
      const tree = emptyTree();
      updateNxJson(tree, { ...readNxJson(tree), plugins: ['@mlops/gitops'] });
      await initGenerator(tree, { ci: 'none' });
      expect(pluginEntries(tree)).toEqual(['@mlops/gitops']);
    });

    it('keeps pipelines the user wrote and adds the GitLab include to an existing .gitlab-ci.yml', async () => {
      const tree = emptyTree();
      tree.write(GITHUB_VALIDATE, 'name: mine\n');
      tree.write(GITLAB_ENTRY, '# our pipeline\ninclude: templates/base.yml\ntest:\n  script: [make test]\n');
      await initGenerator(tree, {});
      expect(tree.read(GITHUB_VALIDATE, 'utf-8')).toBe('name: mine\n');
      const gitlab = tree.read(GITLAB_ENTRY, 'utf-8')!;
      expect(gitlab).toContain('# our pipeline');
      expect(parse(gitlab)).toEqual({
        include: ['templates/base.yml', { local: GITLAB_JOBS_FILE }],
        test: { script: ['make test'] },
      });
    });

    it('adds environments that are missing and keeps the existing ones', async () => {
      const tree = emptyTree();
      await initGenerator(tree, { environments: ['development'], ci: 'none' });
      const before = tree.read(environmentFile('development'), 'utf-8');
      await initGenerator(tree, { environments: ['development', 'qa'], ci: 'none' });
      expect(tree.read(environmentFile('development'), 'utf-8')).toBe(before);
      expect(tree.exists(environmentFile('qa'))).toBe(true);
    });
  });

  describe('a second run on disk', () => {
    let root: string;
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'gitops-init-'));
      writeFileSync(join(root, 'nx.json'), JSON.stringify({ analytics: false }, null, 2) + '\n');
      writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'adopter', private: true }, null, 2) + '\n');
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it('changes nothing', async () => {
      const first = new FsTree(root, false);
      await initGenerator(first, {});
      flushChanges(root, first.listChanges());
      const second = new FsTree(root, false);
      await initGenerator(second, {});
      expect(second.listChanges().map((c) => `${c.type} ${c.path}`)).toEqual([]);
    });
  });

  describe("this repository's own pipelines", () => {
    // They are init's output (the repo dogfoods them). UPDATE_PIPELINES=1 rewrites them.
    it.each([GITHUB_VALIDATE, GITHUB_RELEASE, GITLAB_JOBS_FILE])('%s is what init writes', async (file) => {
      const tree = emptyTree();
      await initGenerator(tree, { ci: 'both', branch: 'main' });
      const expected = tree.read(file, 'utf-8')!;
      const path = join(WORKSPACE_ROOT, file);
      if (process.env.UPDATE_PIPELINES === '1') {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, expected);
      }
      expect(readFileSync(path, 'utf-8')).toBe(expected);
    });
  });
});

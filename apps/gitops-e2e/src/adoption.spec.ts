/**
 * Adoption, end to end and offline (npm's cache): a fresh Nx workspace with no access to this
 * repository installs the packed @mlops/gitops and runs exactly the commands of the README
 * section "Use it in your own repository"; then the CI release job's own
 * commands, a second init, and a corrupted file that validation must name.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { satisfies } from 'semver';
import { parse } from 'yaml';
import { createFreshWorkspace, FreshWorkspace } from './support/fresh-workspace';
import { describeWithKubectl, WORKSPACE_ROOT } from './support/workspace';

jest.setTimeout(15 * 60 * 1000);

const SECTION = '## Use it in your own repository';
const QA_VALUES = 'gitops/components/platform-operators/redis-operator/overlays/qa/values.yaml';
const STAGING_VERSION = 'gitops/components/platform-operators/redis-operator/overlays/staging/version.yaml';

/** The first ```sh block of the section, one command per line. */
function sectionCommands(markdown: string, file: string): string[] {
  const start = markdown.indexOf(SECTION);
  if (start === -1) throw new Error(`${file} has no section '${SECTION}'`);
  const section = markdown.slice(start + SECTION.length).split(/\n## /)[0];
  const block = section.match(/```sh\n([\s\S]*?)```/);
  if (!block) throw new Error(`${file}: section '${SECTION}' has no sh code block`);
  return block[1]
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** The README's section is what users follow, so it is what this test runs. */
function documentedCommands(): string[] {
  return sectionCommands(readFileSync(join(WORKSPACE_ROOT, 'README.md'), 'utf8'), 'README.md');
}

/** The version the plugin resolves here: its own node_modules first, then the workspace's. */
function installedVersion(name: string): string {
  const candidates = [join(WORKSPACE_ROOT, 'packages/gitops/node_modules', name), join(WORKSPACE_ROOT, 'node_modules', name)];
  const dir = candidates.find((d) => existsSync(join(d, 'package.json')))!;
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
}

const describeIfKubectl = describeWithKubectl('adoption.spec');

describeIfKubectl('adopting @mlops/gitops in a fresh Nx workspace', () => {
  let ws: FreshWorkspace;
  const log: { line: string; stdout: string }[] = [];

  beforeAll(() => {
    ws = createFreshWorkspace();
    let cwd = ws.root;
    for (const command of documentedCommands()) {
      const line = command.replaceAll('<this-repo>', WORKSPACE_ROOT).replaceAll('<your-repo>', ws.root);
      const cd = line.match(/^cd\s+(\S+)$/);
      if (cd) {
        cwd = cd[1];
        continue;
      }
      const r = ws.sh(line, { cwd });
      log.push({ line: command, stdout: r.stdout + r.stderr });
    }
  });

  afterAll(() => ws?.remove());

  it('runs every documented command successfully, ending with a passing validation', () => {
    expect(log.map((l) => l.line)).toEqual(expect.arrayContaining([expect.stringMatching(/^npx nx run-many -t validate$/)]));
    expect(log.at(-1)!.stdout).toMatch(/Successfully ran target validate for \d+ projects/);
  });

  it('installed the package from the tarball, with its declared dependencies', () => {
    const manifest = JSON.parse(ws.read('package.json'));
    expect(manifest.devDependencies['@mlops/gitops']).toMatch(/^file:.*mlops-gitops-0\.1\.0\.tgz$/);
    const installed = JSON.parse(ws.read('node_modules/@mlops/gitops/package.json'));
    const source = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'packages/gitops/package.json'), 'utf8'));
    expect(installed.dependencies).toEqual(source.dependencies);
    for (const name of Object.keys(source.dependencies)) expect(ws.exists(`node_modules/${name}/package.json`)).toBe(true);
    expect(ws.exists('node_modules/@mlops/gitops/dist/catalog/redis-operator.yaml')).toBe(true);
    expect(ws.exists('node_modules/@mlops/gitops/src')).toBe(false);
  });

  it('declares the versions this workspace uses', () => {
    const source = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'packages/gitops/package.json'), 'utf8'));
    for (const [name, range] of Object.entries<string>(source.dependencies)) {
      const used = installedVersion(name);
      expect({ name, used, fits: satisfies(used, range) }).toEqual({ name, used, fits: true });
    }
  });

  it('init registered the plugin and wrote the tree and the pipelines; the generators added to it', () => {
    expect(JSON.parse(ws.read('nx.json')).plugins).toEqual([{ plugin: '@mlops/gitops', options: {} }]);
    for (const f of [
      'gitops/platform.yaml',
      'gitops/clusters/development/environment.yaml',
      'gitops/clusters/production/environment.yaml',
      'gitops/clusters/qa/environment.yaml',
      'gitops/components/platform-operators/redis-operator/component.yaml',
      QA_VALUES,
      '.github/workflows/gitops-validate.yml',
      '.github/workflows/gitops-release.yml',
      '.gitlab-ci.yml',
      '.gitlab/gitops.gitlab-ci.yml',
    ]) {
      expect({ file: f, exists: ws.exists(f) }).toEqual({ file: f, exists: true });
    }
    const projects = JSON.parse(ws.nx(['show', 'projects', '--json']).stdout);
    expect(projects.sort()).toEqual(['env-development', 'env-production', 'env-qa', 'env-staging', 'redis-operator']);
  });

  it('links the mlops-gitops command at install, which validates the adopted tree', () => {
    expect(ws.sh('npx --no-install mlops-gitops validate .').stdout).toContain('✔ no errors');
  });

  it("init's pipelines run the Node.js major this workspace pins", () => {
    const major = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'package.json'), 'utf8')).devDependencies.node.split('.')[0];
    const steps = parse(ws.read('.github/workflows/gitops-validate.yml')).jobs.validate.steps as { with?: Record<string, unknown> }[];
    expect(steps.map((s) => s.with?.['node-version']).filter(Boolean)).toEqual([Number(major)]);
    expect(parse(ws.read('.gitlab/gitops.gitlab-ci.yml'))['.gitops-node'].image).toBe(`node:${major}`);
  });

  it('a second init changes nothing', () => {
    ws.sh('git add -A && git -c user.email=e2e@example.com -c user.name=e2e commit -qm adopted');
    ws.nx(['g', '@mlops/gitops:init', '--no-interactive']);
    expect(ws.sh('git status --porcelain').stdout).toBe('');
  });

  it("the CI release job's commands update staging, validate, commit with [skip ci] and push", () => {
    const remote = mkdtempSync(join(tmpdir(), 'gitops-remote-'));
    try {
      execFileSync('git', ['init', '-q', '--bare', remote]);
      ws.sh(`git remote add origin ${remote} && git push -q origin HEAD:main`);
      const steps = parse(ws.read('.github/workflows/gitops-release.yml')).jobs.release.steps as { name?: string; run?: string }[];
      const run = (name: string) => steps.find((s) => s.name === name)!.run!;
      const before = parse(ws.read(STAGING_VERSION)).spec.chart.spec.version as string;
      const next = before.replace(/(\d+)$/, (n) => String(Number(n) + 1));
      const env = `COMPONENT=redis-operator ENVIRONMENT=staging CHART_VERSION=${next} IMAGE_TAG= VALUES_KEY=image.tag RELEASE_TAG=`;
      for (const step of ['Update the GitOps tree', 'Validate', 'Commit and push']) ws.sh(`export ${env}\n${run(step)}`);
      expect(parse(ws.read(STAGING_VERSION)).spec.chart.spec.version).toBe(next);
      const pushed = () => execFileSync('git', ['--git-dir', remote, 'log', '-1', '--format=%s', 'main'], { encoding: 'utf8' }).trim();
      expect(pushed()).toBe(`release(staging): redis-operator ${next} [skip ci]`);
      // The production release: the job tags the branch head, points production at the tag and pushes both.
      const release = 'COMPONENT= ENVIRONMENT=production CHART_VERSION= IMAGE_TAG= VALUES_KEY=image.tag RELEASE_TAG=v1.0.0';
      for (const step of ['Tag the release', 'Update the GitOps tree', 'Commit and push']) ws.sh(`export ${release}\n${run(step)}`);
      expect(pushed()).toBe('release(production): v1.0.0 [skip ci]');
      expect(execFileSync('git', ['--git-dir', remote, 'tag', '--list'], { encoding: 'utf8' }).trim()).toBe('v1.0.0');
      expect(parse(ws.read('gitops/clusters/production/release.yaml')).spec.ref).toEqual({ tag: 'v1.0.0' });
    } finally {
      rmSync(remote, { recursive: true, force: true });
    }
  });

  it("the GitLab release job's script releases a new tag and rolls back production, pushing the tag and the commit", () => {
    const remote = mkdtempSync(join(tmpdir(), 'gitops-gitlab-remote-'));
    try {
      execFileSync('git', ['init', '-q', '--bare', remote]);
      ws.sh(`git push -q ${remote} HEAD:main 'refs/tags/*:refs/tags/*'`);
      const job = parse(ws.read('.gitlab/gitops.gitlab-ci.yml'))['gitops-release'] as { script: string[] };
      // The job pushes to GitLab's URL; git's insteadOf sends it to the local remote.
      const gitlabUrl = 'https://gitlab-ci-token:not-a-token@gitlab.invalid/platform/gitops.git';
      const env = (tag: string) =>
        [
          'CI_SERVER_HOST=gitlab.invalid CI_PROJECT_PATH=platform/gitops GITOPS_PUSH_TOKEN=not-a-token',
          `GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=url.${remote}.insteadOf GIT_CONFIG_VALUE_0=${gitlabUrl}`,
          `GITOPS_COMPONENT= GITOPS_ENVIRONMENT=production GITOPS_CHART_VERSION= GITOPS_IMAGE_TAG= GITOPS_VALUES_KEY=image.tag GITOPS_RELEASE_TAG=${tag}`,
        ].join(' ');
      const run = (tag: string) => ws.sh(`export ${env(tag)}\nset -e\n${job.script.join('\n')}`);
      const pushed = () => execFileSync('git', ['--git-dir', remote, 'log', '-1', '--format=%s', 'main'], { encoding: 'utf8' }).trim();
      const release = () => parse(ws.read('gitops/clusters/production/release.yaml')).spec.ref;
      run('v2.0.0');
      expect(pushed()).toBe('release(production): v2.0.0 [skip ci]');
      expect(execFileSync('git', ['--git-dir', remote, 'tag', '--list'], { encoding: 'utf8' })).toContain('v2.0.0');
      expect(release()).toEqual({ tag: 'v2.0.0' });
      run('v1.0.0');
      expect(pushed()).toBe('release(production): v1.0.0 [skip ci]');
      expect(release()).toEqual({ tag: 'v1.0.0' });
    } finally {
      rmSync(remote, { recursive: true, force: true });
    }
  });

  it('refuses init on a gitops/ folder of another shape', () => {
    ws.sh('mv gitops gitops.adopted && mkdir -p gitops/apps && echo "kind: HelmRelease" > gitops/apps/podinfo.yaml');
    try {
      const r = ws.nx(['g', '@mlops/gitops:init', '--no-interactive'], { allowFailure: true });
      expect(r.status).not.toBe(0);
      expect(r.stdout + r.stderr).toContain("Folder 'gitops/' already exists but has no gitops/platform.yaml");
      expect(ws.read('gitops/apps/podinfo.yaml')).toBe('kind: HelmRelease\n');
    } finally {
      ws.sh('rm -rf gitops && mv gitops.adopted gitops');
    }
  });

  it('fails validation on a corrupted file, naming it', () => {
    ws.write(QA_VALUES, ws.read(QA_VALUES) + 'replicas: [1\n');
    const r = ws.nx(['run-many', '-t', 'validate'], { allowFailure: true });
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('redis-operator/overlays/qa/values.yaml');
    expect(r.stdout).toMatch(/redis-operator:validate/);
  });
});

describe('the packed tarball', () => {
  it('holds the built code, schemas, templates and catalog, and no sources or tests', () => {
    const dest = mkdtempSync(join(tmpdir(), 'gitops-pack-'));
    try {
      const out = execFileSync(process.execPath, [join(WORKSPACE_ROOT, 'tools/pack.js'), dest], { cwd: WORKSPACE_ROOT, encoding: 'utf8' });
      const tarball = out.trim().split('\n').pop()!;
      expect(existsSync(tarball)).toBe(true);
      const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
      expect(files).toEqual(
        expect.arrayContaining([
          'package/package.json',
          'package/generators.json',
          'package/executors.json',
          'package/dist/index.js',
          'package/bin/mlops-gitops.js',
          'package/dist/cli/main.js',
          'package/dist/generators/init/schema.json',
          'package/dist/generators/component/schema.json',
          'package/dist/catalog/blueprint.schema.json',
          'package/dist/catalog/redis-operator.yaml',
        ]),
      );
      expect(files.some((f) => f.startsWith('package/dist/generators/init/files/'))).toBe(true);
      expect(files.filter((f) => f.startsWith('package/src/') || /\.spec\.(ts|js)$/.test(f))).toEqual([]);
    } finally {
      rmSync(dest, { recursive: true, force: true });
    }
  });
});

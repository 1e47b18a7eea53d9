/**
 * One Node.js version for the whole toolchain: the `node` devDependency that `npm ci` installs and
 * every npm script and npx command runs on. The engines of every locked package accept it, and the
 * pipelines and `.nvmrc` name its major.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { satisfies } from 'semver';
import { parse } from 'yaml';
import { WORKSPACE_ROOT } from './support/workspace';

interface LockedPackage {
  engines?: { node?: string };
  optional?: boolean;
}

const read = (file: string) => readFileSync(join(WORKSPACE_ROOT, file), 'utf8');
const pinned: string = JSON.parse(read('package.json')).devDependencies.node;
const major = pinned.split('.')[0];

describe('the Node.js version of the toolchain', () => {
  it('is accepted by the engines of this repository, the plugin and every locked package', () => {
    const packages: Record<string, LockedPackage> = JSON.parse(read('package-lock.json')).packages;
    const refusing = Object.entries(packages)
      .filter(([, p]) => p.engines?.node && !p.optional && !satisfies(pinned, p.engines.node))
      .map(([path, p]) => `${path || '(root)'} wants node ${p.engines!.node}`);
    expect(refusing).toEqual([]);
    expect(packages['']?.engines?.node).toBeDefined();
    expect(packages['packages/gitops']?.engines?.node).toBe(packages['']?.engines?.node);
  });

  it('is the Node that npm ci installed for npm scripts and npx', () => {
    const version = execFileSync(join(WORKSPACE_ROOT, 'node_modules/.bin/node'), ['--version'], { encoding: 'utf8' });
    expect(version.trim()).toBe(`v${pinned}`);
  });

  it('is the major that .nvmrc and every pipeline of this repository name', () => {
    expect(read('.nvmrc').trim()).toBe(major);
    for (const workflow of ['ci.yml', 'gitops-validate.yml', 'gitops-release.yml']) {
      const jobs = parse(read(`.github/workflows/${workflow}`)).jobs as Record<string, { steps: { with?: Record<string, unknown> }[] }>;
      const versions = [...new Set(Object.values(jobs).flatMap((j) => j.steps.map((s) => s.with?.['node-version']).filter(Boolean)))];
      expect({ workflow, versions }).toEqual({
        workflow,
        versions: [Number(major)],
      });
    }
    expect(parse(read('.gitlab-ci.yml')).test.image).toBe(`node:${major}`);
    expect(parse(read('.gitlab/gitops.gitlab-ci.yml'))['.gitops-node'].image).toBe(`node:${major}`);
  });

  it('is the one the README names', () => {
    expect(read('README.md')).toContain(`Node.js ${major}`);
  });
});

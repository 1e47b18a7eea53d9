/**
 * `nx g @mlops/gitops:init` (also what `nx add @mlops/gitops` runs): registers the plugin,
 * writes the platform file, the environments and the CI pipelines. What exists is kept, so a
 * second run changes nothing; a `gitops/` folder of another shape is refused, never overwritten.
 */
import { generateFiles, logger, OverwriteStrategy, readNxJson, Tree, updateNxJson } from '@nx/devkit';
import { formatChangedFiles } from '../shared/format';
import { join } from 'node:path';
import { environmentFile, GITOPS_ROOT, platformFile } from '../../model/layout';
import { DEFAULT_LAYERS, DEFAULT_SECRETS, parsePlatform, PLACEHOLDER_REPOSITORY as PLACEHOLDER, platformYaml } from '../../model/platform';
import { assertDnsLabel, DEFAULT_ENVIRONMENTS, Engine, GitopsInputError, oneOf, parseEngines } from '../../model/vocabulary';
import { editYaml, isSeq } from '../../model/yaml-io';
import { environmentGenerator } from '../environment/environment';
import { parseList } from '../shared/options';
import type { InitGeneratorSchema } from './schema';

export const PLUGIN_NAME = '@mlops/gitops';
/** Keeps the derived files of the tree in sync with their sources of truth. */
const SYNC_GENERATOR = `${PLUGIN_NAME}:sync`;
export const CI_PROVIDERS = ['github', 'gitlab', 'both', 'none'] as const;
export type CiProvider = (typeof CI_PROVIDERS)[number];

/** The GitLab jobs live in their own file, included from `.gitlab-ci.yml`. */
export const GITLAB_JOBS_FILE = '.gitlab/gitops.gitlab-ci.yml';
const GITLAB_ENTRY_FILE = '.gitlab-ci.yml';
const DEFAULT_NODE_VERSION = '22';
const PLACEHOLDER_REPOSITORY = PLACEHOLDER.url;

export interface NormalizedInitSchema {
  environments: string[];
  engines: Engine[];
  repositoryUrl: string;
  branch: string;
  ci: CiProvider;
  nodeVersion: string;
  skipFormat: boolean;
}

export async function initGenerator(tree: Tree, schema: InitGeneratorSchema): Promise<void> {
  const options = normalizeOptions(tree, schema);
  refuseForeignTree(tree);
  registerPlugin(tree);
  writePlatform(tree, options);
  await addEnvironments(tree, options);
  writePipelines(tree, options);
  if (!options.skipFormat) await formatChangedFiles(tree);
}

export default initGenerator;

export function normalizeOptions(tree: Tree, schema: InitGeneratorSchema): NormalizedInitSchema {
  const environments = parseList(schema.environments ?? [...DEFAULT_ENVIRONMENTS]) ?? [];
  if (environments.length === 0) {
    throw new GitopsInputError(`Environments must name at least one environment, e.g. '${DEFAULT_ENVIRONMENTS.join(',')}'.`);
  }
  environments.forEach((env) => assertDnsLabel('Environment', env));
  return {
    environments,
    engines: parseEngines('Engine', parseList(schema.engines) ?? ['flux']),
    repositoryUrl: schema.repositoryUrl ? assertRepositoryUrl(schema.repositoryUrl) : pullableOrigin(tree),
    branch: schema.branch || 'main',
    ci: oneOf('CI', schema.ci ?? 'both', CI_PROVIDERS),
    nodeVersion: nodeVersion(tree),
    skipFormat: schema.skipFormat ?? false,
  };
}

/** Node.js major version for CI: the workspace's `.nvmrc` if it has one, else the LTS this plugin is built on. */
function nodeVersion(tree: Tree): string {
  const nvmrc = tree.read('.nvmrc', 'utf-8')?.trim().replace(/^v/, '');
  return nvmrc && /^\d+/.test(nvmrc) ? nvmrc.split('.')[0] : DEFAULT_NODE_VERSION;
}

function assertRepositoryUrl(url: string): string {
  if (/^git@[^:\s]+:\S+$/.test(url)) return url.replace(/^git@([^:]+):/, 'ssh://git@$1/');
  if (/^(https|ssh):\/\/\S+$/.test(url)) return url;
  throw new GitopsInputError(
    `Repository URL '${url}' is not a Git URL the engines can pull; use https://host/org/repo.git or ssh://git@host/org/repo.git.`,
  );
}

/** The `origin` remote when the engines can pull it (not a local path), else the placeholder. */
function pullableOrigin(tree: Tree): string {
  const origin = originUrl(tree);
  if (!origin) return PLACEHOLDER_REPOSITORY;
  try {
    return assertRepositoryUrl(origin);
  } catch {
    logger.warn(`The git remote 'origin' (${origin}) is not a URL Flux / Argo CD can pull; using ${PLACEHOLDER_REPOSITORY}.`);
    return PLACEHOLDER_REPOSITORY;
  }
}

/** The `origin` remote of the workspace's git repository, if it has one. */
function originUrl(tree: Tree): string | undefined {
  const config = tree.read('.git/config', 'utf-8');
  const section = config?.split(/^\[/m).find((s) => s.startsWith('remote "origin"]'));
  return section?.match(/^\s*url\s*=\s*(\S+)\s*$/m)?.[1];
}

/** A `gitops/` folder that is not ours (no platform file, or one that does not parse) is refused. */
export function refuseForeignTree(tree: Tree): void {
  const platform = platformFile();
  const text = tree.read(platform, 'utf-8');
  if (text === null) {
    if (tree.exists(GITOPS_ROOT) && tree.children(GITOPS_ROOT).length > 0) {
      throw new GitopsInputError(
        `Folder '${GITOPS_ROOT}/' already exists but has no ${platform}; init expects no '${GITOPS_ROOT}/' folder or one created by ${PLUGIN_NAME} ` +
          `(with ${platform} listing the layers). Move the existing folder away, or add ${platform} by hand, then run init again.`,
      );
    }
    return;
  }
  try {
    parsePlatform(platform, text);
  } catch (e) {
    throw new GitopsInputError(`${platform} exists but is not a platform file of ${PLUGIN_NAME}: ${(e as Error).message}. Fix it or move it away.`);
  }
}

/** Registers the plugin (graph inference) and its sync generator (`nx sync`, `nx sync:check`) in nx.json, once. */
export function registerPlugin(tree: Tree): void {
  const nxJson = readNxJson(tree) ?? {};
  const plugins = nxJson.plugins ?? [];
  const registered = plugins.some((p) => (typeof p === 'string' ? p : p.plugin) === PLUGIN_NAME);
  const syncGenerators = nxJson.sync?.globalGenerators ?? [];
  const syncRegistered = syncGenerators.includes(SYNC_GENERATOR);
  if (registered && syncRegistered) return;
  updateNxJson(tree, {
    ...nxJson,
    plugins: registered ? plugins : [...plugins, { plugin: PLUGIN_NAME, options: {} }],
    sync: { ...nxJson.sync, globalGenerators: syncRegistered ? syncGenerators : [...syncGenerators, SYNC_GENERATOR] },
  });
}

function writePlatform(tree: Tree, options: NormalizedInitSchema): void {
  const path = platformFile();
  if (tree.exists(path)) {
    const existing = parsePlatform(path, tree.read(path, 'utf-8') as string);
    if (existing.defaultEngines.join(',') !== options.engines.join(',')) {
      logger.warn(
        `${path} keeps its default engines [${existing.defaultEngines.join(', ')}]; change them there if you meant [${options.engines.join(', ')}].`,
      );
    }
    return;
  }
  tree.write(
    path,
    platformYaml({
      repository: { url: options.repositoryUrl, branch: options.branch },
      defaultEngines: options.engines,
      secrets: DEFAULT_SECRETS,
      layers: [...DEFAULT_LAYERS],
    }),
  );
  if (options.repositoryUrl === PLACEHOLDER_REPOSITORY) {
    logger.warn(`${path}: set repository.url to the URL Flux / Argo CD pull this repository from.`);
  }
}

async function addEnvironments(tree: Tree, options: NormalizedInitSchema): Promise<void> {
  for (const name of options.environments) {
    if (tree.exists(environmentFile(name))) continue;
    await environmentGenerator(tree, { name, skipFormat: true });
  }
}

function writePipelines(tree: Tree, options: NormalizedInitSchema): void {
  const substitutions = {
    dot: '.',
    tmpl: '',
    branch: options.branch,
    nodeVersion: options.nodeVersion,
    gitopsRoot: GITOPS_ROOT,
    gitlabInclude: GITLAB_JOBS_FILE,
  };
  const write = (folder: string) => writeTemplatesIfAbsent(tree, join(__dirname, 'files', folder), substitutions);
  if (options.ci === 'github' || options.ci === 'both') write('github');
  if (options.ci === 'gitlab' || options.ci === 'both') {
    write('gitlab');
    if (tree.exists(GITLAB_ENTRY_FILE)) includeGitlabJobs(tree);
    else write('gitlab-entry');
  }
}

/** Pipelines are the user's once written: a file that exists is left as it is. */
function writeTemplatesIfAbsent(tree: Tree, folder: string, substitutions: Record<string, string>): void {
  generateFiles(tree, folder, '.', substitutions, { overwriteStrategy: OverwriteStrategy.KeepExisting });
}

/** Adds `include: - local: .gitlab/gitops.gitlab-ci.yml` to an existing GitLab CI entry file. */
function includeGitlabJobs(tree: Tree): void {
  const text = tree.read(GITLAB_ENTRY_FILE, 'utf-8') as string;
  const updated = editYaml(text, (doc) => {
    const include = doc.get('include', true);
    const entries = (doc.toJS() as { include?: unknown }).include;
    const list = entries === undefined ? [] : Array.isArray(entries) ? entries : [entries];
    const present = list.some((e) => e === GITLAB_JOBS_FILE || (e && typeof e === 'object' && (e as { local?: string }).local === GITLAB_JOBS_FILE));
    if (present) return;
    if (isSeq(include)) include.items.push(doc.createNode({ local: GITLAB_JOBS_FILE }));
    else doc.set('include', doc.createNode([...list, { local: GITLAB_JOBS_FILE }]));
  });
  tree.write(GITLAB_ENTRY_FILE, updated);
}

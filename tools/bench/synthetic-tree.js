#!/usr/bin/env node
/**
 * Builds a synthetic GitOps tree in the documented layout: N helm components
 * spread over the default layers, each with a base and one overlay per
 * environment, and per environment the settings file; the Flux entry point,
 * namespaces and one Flux Kustomization per component are derived from them by
 * the plugin's own derive and reconcile.
 *
 * Paths come from the plugin's layout module and objects are written with the
 * `yaml` library, so the tree has the shape the generators produce. Used by
 * the benchmarks and by the end-to-end tests.
 *
 *   node tools/bench/synthetic-tree.js <workspace-dir> <components> [environments...]
 */
const { spawnSync } = require('node:child_process');
const { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { dirname, join, posix, resolve } = require('node:path');
const { stringify } = require('yaml');

const DIST = join(__dirname, '../../packages/gitops/dist');
const layout = require(join(DIST, 'model/layout.js'));
const { DEFAULT_LAYERS, DEFAULT_SECRETS, platformYaml } = require(join(DIST, 'model/platform.js'));

const DEFAULT_ENVS = ['development', 'staging', 'production'];
const SETTINGS = {
  development: { engines: ['flux'], sync: 'auto', prune: true, selfHeal: true, pinVersions: false, size: 'small' },
  staging: { engines: ['flux'], sync: 'auto', prune: true, selfHeal: true, pinVersions: false, size: 'medium', promotesFrom: 'development' },
  production: { engines: ['flux'], sync: 'manual', prune: true, selfHeal: false, pinVersions: true, size: 'large', promotesFrom: 'staging' },
};

function yamlDocs(objects) {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

/** The name and layer of component i; every seventh component depends on the one before it (same or lower layer). */
function componentPlan(count) {
  const layers = [...DEFAULT_LAYERS].sort((a, b) => a.order - b.order);
  const plan = [];
  for (let i = 0; i < count; i++) {
    const layer = layers[Math.floor((i * layers.length) / count)];
    const name = `c${String(i).padStart(4, '0')}`;
    const dependsOn = i % 7 === 6 ? [plan[i - 1].name] : [];
    plan.push({ name, layer, dependsOn });
  }
  return plan;
}

function componentFiles(c, envs, tree) {
  const { name, layer } = c;
  const base = layout.componentBase(layer.name, name, tree);
  const files = {
    [layout.componentFile(layer.name, name, tree)]: stringify({ kind: 'helm', namespace: layer.namespace, dependsOn: c.dependsOn }),
    [layout.componentBaseFile(layer.name, name, layout.KUSTOMIZATION_FILE, tree)]: stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: [layout.SOURCE_FILE, layout.HELMRELEASE_FILE],
      configMapGenerator: [{ name: `${name}-values`, files: [`base.yaml=${layout.VALUES_FILE}`] }],
      generatorOptions: { disableNameSuffixHash: true },
    }),
    [layout.componentBaseFile(layer.name, name, layout.SOURCE_FILE, tree)]: stringify({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: { name },
      spec: { interval: '1h', url: `https://charts.example.com/${name}` },
    }),
    [layout.componentBaseFile(layer.name, name, layout.HELMRELEASE_FILE, tree)]: stringify({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name },
      spec: {
        interval: '10m',
        chart: { spec: { chart: name, version: '1.2.x', sourceRef: { kind: 'HelmRepository', name } } },
        install: { crds: 'Create' },
        upgrade: { crds: 'CreateReplace' },
        valuesFrom: [
          { kind: 'ConfigMap', name: `${name}-values`, valuesKey: 'base.yaml' },
          { kind: 'ConfigMap', name: `${name}-values`, valuesKey: 'environment.yaml', optional: true },
        ],
      },
    }),
    [layout.componentBaseFile(layer.name, name, layout.VALUES_FILE, tree)]: stringify({ replicaCount: 1, image: { tag: '1.0.0' } }),
  };
  for (const env of envs) {
    const overlay = layout.overlayDir(layer.name, name, env, tree);
    files[layout.overlayFile(layer.name, name, env, layout.KUSTOMIZATION_FILE, tree)] = stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      namespace: layer.namespace,
      resources: [layout.relativeTo(overlay, base)],
      patches: [{ path: layout.VERSION_PATCH_FILE }],
      configMapGenerator: [{ name: `${name}-values`, behavior: 'merge', files: [`environment.yaml=${layout.VALUES_FILE}`] }],
    });
    files[layout.overlayFile(layer.name, name, env, layout.VERSION_PATCH_FILE, tree)] = stringify({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name },
      spec: { chart: { spec: { version: SETTINGS[env]?.pinVersions ? '1.2.3' : '1.2.x' } } },
    });
    files[layout.overlayFile(layer.name, name, env, layout.VALUES_FILE, tree)] = stringify({ replicaCount: env === 'production' ? 3 : 1 });
  }
  return files;
}

/** The settings of an environment; everything else under clusters/<env>/ is derived (see `deriveInPlace`). */
function environmentFiles(env, tree) {
  return { [layout.environmentFile(env, tree)]: stringify(SETTINGS[env] ?? SETTINGS.development) };
}

/** Writes the derived files (entry points, namespaces, Flux Kustomizations) with the plugin's own derive and reconcile. */
function deriveInPlace(workspaceDir) {
  const { deriveTree, readTreeModel, reconcile } = require(join(DIST, 'derive/index.js'));
  const { readerView } = require(join(DIST, 'validation/stages/7-drift.js'));
  const { diskReader } = require(join(DIST, 'validation/file-reader.js'));
  const view = readerView(diskReader(workspaceDir));
  const desired = deriveTree(view, readTreeModel(view));
  const { changes } = reconcile(view, desired.files, desired.obsolete);
  for (const { path, text } of changes) {
    const target = join(workspaceDir, ...path.split(posix.sep));
    if (text === null) rmSync(target, { force: true });
    else {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, text);
    }
  }
  return changes.length;
}

/**
 * Writes the tree under `workspaceDir/<gitopsRoot>` (replacing what was there)
 * and returns the component plan.
 */
function buildSyntheticTree(workspaceDir, { components, environments = DEFAULT_ENVS, gitopsRoot = layout.GITOPS_ROOT } = {}) {
  const tree = { root: gitopsRoot };
  const plan = componentPlan(components);
  rmSync(join(workspaceDir, gitopsRoot), { recursive: true, force: true });
  const files = {
    [layout.platformFile(tree)]: platformYaml({
      repository: { url: 'https://github.com/example/platform.git', branch: 'main' },
      defaultEngines: ['flux'],
      secrets: DEFAULT_SECRETS,
      layers: [...DEFAULT_LAYERS],
    }),
  };
  for (const c of plan) Object.assign(files, componentFiles(c, environments, tree));
  for (const env of environments) Object.assign(files, environmentFiles(env, tree));
  for (const [path, text] of Object.entries(files)) {
    const target = join(workspaceDir, ...path.split(posix.sep));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
  return { plan, files: Object.keys(files).length + deriveInPlace(workspaceDir) };
}

const WORKSPACE_ROOT = resolve(__dirname, '../..');
const NX_BIN = join(dirname(require.resolve('nx/package.json', { paths: [WORKSPACE_ROOT] })), require('nx/package.json').bin.nx);
/** What a benchmark workspace needs of this one: the Nx setup (and, for `plugin: 'workspace'`, the plugin package with its sources). */
const WORKSPACE_FILES = ['nx.json', 'package.json', 'package-lock.json', 'tsconfig.base.json'];
const PLUGIN_DIR = 'packages/gitops';

/**
 * node_modules of a workspace that installed the plugin from the registry:
 * every package of this workspace's node_modules (symlinked), except the
 * plugin, which is a real folder holding what `npm pack` publishes (package.json,
 * generators.json, executors.json, dist). Nx then runs the compiled executors
 * and plugin, as in any adopting repository (a workspace-local plugin runs its
 * executors from TypeScript source through swc instead).
 */
function installedNodeModules(root) {
  const shared = join(WORKSPACE_ROOT, 'node_modules');
  const own = join(root, 'node_modules');
  mkdirSync(own);
  for (const name of readdirSync(shared)) {
    if (name === '.cache' || name === '.package-lock.json') continue;
    if (name !== '@mlops') {
      symlinkSync(join(shared, name), join(own, name));
      continue;
    }
    for (const scoped of readdirSync(join(shared, name))) {
      mkdirSync(join(own, name), { recursive: true });
      if (scoped !== 'gitops') symlinkSync(join(shared, name, scoped), join(own, name, scoped));
    }
  }
  const pkg = JSON.parse(readFileSync(join(WORKSPACE_ROOT, PLUGIN_DIR, 'package.json'), 'utf8'));
  const target = join(own, ...pkg.name.split('/'));
  for (const f of ['package.json', 'generators.json', 'executors.json', 'dist']) {
    cpSync(join(WORKSPACE_ROOT, PLUGIN_DIR, f), join(target, f), { recursive: true, filter: (src) => !src.endsWith('.tsbuildinfo') });
  }
  // The lock file records the installed version, as npm writes it (Nx hashes external dependencies by it).
  const lockPath = join(root, 'package-lock.json');
  const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
  lock.packages[`node_modules/${pkg.name}`] = {
    version: pkg.version,
    resolved: `file:${pkg.name}-${pkg.version}.tgz`,
    dependencies: pkg.dependencies,
  };
  delete lock.packages[PLUGIN_DIR];
  writeFileSync(lockPath, JSON.stringify(lock, null, 2));
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  manifest.devDependencies = { ...manifest.devDependencies, [pkg.name]: pkg.version };
  manifest.workspaces = (manifest.workspaces ?? []).filter((w) => !PLUGIN_DIR.startsWith(w.replace('/*', '/')));
  writeFileSync(join(root, 'package.json'), JSON.stringify(manifest, null, 2));
}

/**
 * A throw-away Nx workspace holding this workspace's Nx setup, a synthetic
 * tree, and (optionally) a git history with it committed.
 *
 * `plugin: 'installed'` (default) installs the built plugin as an adopting
 * repository does (see installedNodeModules); `plugin: 'workspace'` copies
 * packages/gitops and shares this workspace's node_modules through a symlink,
 * as in this monorepo (Nx then runs the executors from TypeScript source).
 */
function createBenchWorkspace({ components, environments = DEFAULT_ENVS, git = true, prefix = 'gitops-bench-', plugin = 'installed' }) {
  if (!existsSync(join(DIST, 'index.js'))) throw new Error('packages/gitops/dist is missing: run `npm run build` first');
  const root = mkdtempSync(join(tmpdir(), prefix));
  for (const f of WORKSPACE_FILES) cpSync(join(WORKSPACE_ROOT, f), join(root, f), { recursive: true });
  if (plugin === 'installed') installedNodeModules(root);
  else {
    cpSync(join(WORKSPACE_ROOT, PLUGIN_DIR), join(root, PLUGIN_DIR), {
      recursive: true,
      filter: (src) => !src.includes(join(PLUGIN_DIR, 'node_modules')),
    });
    symlinkSync(join(WORKSPACE_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  }
  writeFileSync(join(root, '.gitignore'), 'node_modules\n.nx\n');
  const built = buildSyntheticTree(root, { components, environments });
  const env = (extra = {}) => ({ ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', CI: 'true', FORCE_COLOR: '0', ...extra });
  const run = (cmd, args, extraEnv) => {
    const r = spawnSync(cmd, args, { cwd: root, env: env(extraEnv), encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  const ws = {
    root,
    plan: built.plan,
    files: built.files,
    run,
    env,
    nx: (args, extraEnv) => run(process.execPath, [NX_BIN, ...args], extraEnv),
    git: (...args) => run('git', ['-c', 'user.email=bench@example.com', '-c', 'user.name=bench', ...args]),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
  if (git) {
    ws.git('init', '-q', '-b', 'main');
    ws.git('add', '-A');
    ws.git('commit', '-qm', 'synthetic tree');
  }
  return ws;
}

module.exports = { buildSyntheticTree, componentPlan, createBenchWorkspace, installedNodeModules, DEFAULT_ENVS, NX_BIN };

if (require.main === module) {
  const [dir, count, ...envs] = process.argv.slice(2);
  if (!dir || !Number(count)) {
    console.error('usage: node tools/bench/synthetic-tree.js <workspace-dir> <components> [environments...]');
    process.exit(2);
  }
  const { files } = buildSyntheticTree(dir, { components: Number(count), environments: envs.length ? envs : DEFAULT_ENVS });
  console.log(
    `wrote ${files} files for ${count} components x ${envs.length || DEFAULT_ENVS.length} environments under ${join(dir, layout.GITOPS_ROOT)}`,
  );
}

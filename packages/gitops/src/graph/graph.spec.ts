import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { CreateDependenciesContext, CreateNodesResult, FileData, ProjectConfiguration } from '@nx/devkit';
import { createDependencies } from './create-dependencies';
import { createNodesV2, GITOPS_FILES_GLOB } from './create-nodes';
import { loadTreeState } from './tree-state';

const PLATFORM = `
defaultEngine: flux
layers:
  - { name: platform-operators, order: 1, namespace: platform-operators }
  - { name: data-plane, order: 2, namespace: data-plane }
  - { name: orchestration, order: 3, namespace: orchestration }
`;

let root: string;

function write(path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

function allFiles(dir = root): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (name === 'node_modules') return [];
    return statSync(full).isDirectory() ? allFiles(full) : [relative(root, full).split('\\').join('/')];
  });
}

/** The files Nx would hand to createNodes for our glob. */
function matchedFiles(): string[] {
  return allFiles().filter((f) => /^gitops\/(components\/[^/]+\/[^/]+\/component\.yaml|clusters\/[^/]+\/environment\.yaml|platform\.yaml)$/.test(f));
}

async function projects(options = {}): Promise<Record<string, ProjectConfiguration>> {
  const results = await createNodesV2[1](matchedFiles(), options, { workspaceRoot: root, nxJsonConfiguration: {} });
  const out: Record<string, ProjectConfiguration> = {};
  for (const [, r] of results as Array<readonly [string, CreateNodesResult]>) {
    for (const [projectRoot, p] of Object.entries(r.projects ?? {})) out[p.name as string] = { ...p, root: projectRoot } as ProjectConfiguration;
  }
  return out;
}

async function edges(options = {}): Promise<string[]> {
  const ps = await projects(options);
  const projectFileMap: Record<string, FileData[]> = {};
  const nonProjectFiles: FileData[] = [];
  const roots = Object.values(ps).sort((a, b) => b.root.length - a.root.length);
  for (const file of allFiles()) {
    const data = {
      file,
      hash: createHash('sha1')
        .update(readFileSync(join(root, file)))
        .digest('hex'),
    };
    const owner = roots.find((p) => file.startsWith(p.root + '/'));
    if (owner) (projectFileMap[owner.name as string] ??= []).push(data);
    else nonProjectFiles.push(data);
  }
  const context = {
    projects: ps,
    fileMap: { projectFileMap, nonProjectFiles },
    filesToProcess: { projectFileMap, nonProjectFiles },
    workspaceRoot: root,
    externalNodes: {},
    nxJsonConfiguration: {},
  };
  const deps = await createDependencies(options, context as unknown as CreateDependenciesContext);
  return deps.map((d) => `${d.source} -> ${d.target} (${'sourceFile' in d ? d.sourceFile : ''})`).sort();
}

function component(layer: string, name: string, dependsOn: string[] = []): void {
  write(`gitops/components/${layer}/${name}/component.yaml`, `kind: helm\nnamespace: ${layer}\ndependsOn: [${dependsOn.join(', ')}]\n`);
  write(`gitops/components/${layer}/${name}/base/kustomization.yaml`, 'resources: [source.yaml, helmrelease.yaml]\n');
}

/** The folder of a component written by component(), found by its name. */
function componentRoot(name: string): string | undefined {
  const layers = readdirSync(join(root, 'gitops/components'));
  const layer = layers.find((l) => existsSync(join(root, 'gitops/components', l, name)));
  return layer === undefined ? undefined : `gitops/components/${layer}/${name}`;
}

function helmRelease(layer: string, name: string, sourceKind: string, sourceName: string): void {
  write(
    `gitops/components/${layer}/${name}/base/helmrelease.yaml`,
    `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: { name: ${name} }\nspec:\n  chart:\n    spec: { chart: ${name}, sourceRef: { kind: ${sourceKind}, name: ${sourceName} } }\n`,
  );
}

function chartSource(layer: string, name: string, kind: string, sourceName: string): void {
  write(
    `gitops/components/${layer}/${name}/base/source.yaml`,
    `apiVersion: source.toolkit.fluxcd.io/v1\nkind: ${kind}\nmetadata: { name: ${sourceName} }\nspec: { url: https://charts.example.com }\n`,
  );
}

/** An environment, and the components it deploys: each gets an overlay for it. */
function environment(env: string, settings: string, deploys: string[]): void {
  write(`gitops/clusters/${env}/environment.yaml`, settings);
  for (const c of deploys) {
    const dir = componentRoot(c);
    if (dir) write(`${dir}/overlays/${env}/kustomization.yaml`, 'resources: [../../base]\n');
  }
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'gitops-graph-'));
  write('gitops/platform.yaml', PLATFORM);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('createNodesV2', () => {
  it('uses one glob for the platform file, components and environments', () => {
    expect(createNodesV2[0]).toBe(GITOPS_FILES_GLOB);
    expect(GITOPS_FILES_GLOB).toBe('gitops/{components/*/*/component.yaml,clusters/*/environment.yaml,platform.yaml}');
  });

  it('makes every component a project named after it, tagged with layer, type and the engines of the environments deploying it', async () => {
    component('platform-operators', 'strimzi-kafka-operator');
    component('data-plane', 'kafka-cluster', ['strimzi-kafka-operator']);
    environment('development', 'engines: [flux]\n', ['strimzi-kafka-operator', 'kafka-cluster']);
    environment('qa', 'engines: [argocd]\n', ['kafka-cluster']);

    const ps = await projects();

    expect(ps['kafka-cluster'].root).toBe('gitops/components/data-plane/kafka-cluster');
    expect(ps['kafka-cluster'].tags).toEqual(['layer:data-plane', 'type:component', 'engine:argocd', 'engine:flux']);
    expect(ps['strimzi-kafka-operator'].tags).toEqual(['layer:platform-operators', 'type:component', 'engine:flux']);
  });

  it('makes every environment a project env-<name>, tagged with each engine it lists; none listed takes the platform default', async () => {
    write('gitops/platform.yaml', PLATFORM.replace('defaultEngine: flux', 'defaultEngines: [argocd]'));
    environment('staging', 'engines: [flux, argocd]\n', []);
    environment('development', 'sync: auto\n', []);
    environment('production', 'engine: flux\n', []);

    const ps = await projects();

    expect(ps['env-staging']).toMatchObject({ root: 'gitops/clusters/staging', tags: ['type:environment', 'engine:argocd', 'engine:flux'] });
    expect(ps['env-development'].tags).toEqual(['type:environment', 'engine:argocd']);
    expect(ps['env-production'].tags).toEqual(['type:environment', 'engine:flux']);
  });

  it('gives each project a cacheable validate target with no outputs and relative inputs only', async () => {
    component('platform-operators', 'redis-operator');
    component('orchestration', 'airflow', ['postgresql', 'redis-operator']);
    environment('production', 'engines: [flux]\n', ['airflow']);

    const ps = await projects();
    const target = ps['airflow'].targets!['validate'];

    expect(target).toMatchObject({ executor: '@mlops/gitops:validate', cache: true, outputs: [] });
    expect(target.inputs).toEqual(
      expect.arrayContaining([
        '{projectRoot}/**/*',
        '^gitops-interface',
        '{workspaceRoot}/gitops/components/*/postgresql/component.yaml',
        '{workspaceRoot}/generators/*.yaml',
        '{workspaceRoot}/gitops/platform.yaml',
        '{workspaceRoot}/gitops/crds/**/*',
        '{workspaceRoot}/gitops/clusters/*/environment.yaml',
        { runtime: 'kubectl version --client' },
      ]),
    );
    // redis-operator exists: a graph edge, its interface reaches the hash through ^gitops-interface.
    expect(target.inputs).not.toContain('{workspaceRoot}/gitops/components/*/redis-operator/component.yaml');
    expect(ps['env-production'].targets!['validate'].inputs).toEqual(
      expect.arrayContaining([
        '{projectRoot}/**/*',
        '{workspaceRoot}/gitops/components/*/*/{component.yaml,base/**/*,overlays/production/**/*,overlays/*/kustomization.yaml}',
      ]),
    );
    expect(JSON.stringify(ps)).not.toContain(root);
  });

  it("lets an environment hash only what it deploys of each component: its overlay there, not the other environments' values", async () => {
    component('platform-operators', 'redis-operator');
    environment('staging', 'engines: [flux]\n', ['redis-operator']);
    environment('production', 'engines: [flux]\n', ['redis-operator']);

    const ps = await projects();

    expect(ps['env-staging'].targets!['validate'].inputs).toContain(
      '{workspaceRoot}/gitops/components/*/*/{component.yaml,base/**/*,overlays/staging/**/*,overlays/*/kustomization.yaml}',
    );
    expect(JSON.stringify(ps['env-production'].targets!['validate'].inputs)).not.toContain('staging');
    expect(Object.keys(ps['redis-operator'].namedInputs ?? {})).toEqual(['gitops-interface']);
  });

  it('gives each project an uncached preview target, so nx affected -t preview previews what a change touches', async () => {
    component('orchestration', 'airflow');
    environment('production', 'engines: [flux]\n', ['airflow']);

    const ps = await projects();

    for (const name of ['airflow', 'env-production'])
      expect(ps[name].targets!['preview']).toMatchObject({ executor: '@mlops/gitops:preview', cache: false });
  });

  it('names the validator by its sources when the plugin is a package of the workspace', async () => {
    component('platform-operators', 'redis-operator');
    write('tools/gitops-plugin/package.json', '{"name":"@mlops/gitops"}');
    mkdirSync(join(root, 'node_modules/@mlops'), { recursive: true });
    symlinkSync('../../tools/gitops-plugin', join(root, 'node_modules/@mlops/gitops'));

    const inputs = (await projects())['redis-operator'].targets!['validate'].inputs;

    expect(inputs).toEqual(
      expect.arrayContaining([
        { fileset: '{workspaceRoot}/tools/gitops-plugin/src/validation/**/*.ts' },
        { fileset: '!{workspaceRoot}/tools/gitops-plugin/src/**/*.spec.ts' },
      ]),
    );
    expect(inputs).toContainEqual({ externalDependencies: expect.arrayContaining(['kubernetes-models', '@kubernetes-models/flux-cd']) });
  });

  it('names the validator by its npm package when the plugin is installed', async () => {
    component('platform-operators', 'redis-operator');

    const inputs = (await projects())['redis-operator'].targets!['validate'].inputs;

    expect(inputs).toContainEqual({ externalDependencies: expect.arrayContaining(['@mlops/gitops', 'kubernetes-models']) });
    expect(JSON.stringify(inputs)).not.toContain('fileset');
  });

  it('keeps a component whose component.yaml does not parse, so validate can report it', async () => {
    write('gitops/components/orchestration/airflow/component.yaml', 'dependsOn: [postgresql\n');

    const ps = await projects();

    expect(ps['airflow']).toMatchObject({ root: 'gitops/components/orchestration/airflow', tags: ['layer:orchestration', 'type:component'] });
  });

  it('makes one project of a component defined in two layers instead of breaking nx', async () => {
    component('orchestration', 'redis');
    component('platform-operators', 'redis');

    const ps = await projects();

    expect(Object.keys(ps)).toEqual(['redis']);
  });

  it('does not throw without a platform file, reads the tree in gitops/ only and honours targetName', async () => {
    rmSync(join(root, 'gitops'), { recursive: true });
    write('gitops/components/orchestration/airflow/component.yaml', 'kind: helm\n');
    write('deploy/components/orchestration/ignored/component.yaml', 'kind: helm\n');

    const ps = await projects({ targetName: 'check' });

    expect(Object.keys(ps)).toEqual(['airflow']);
    expect(ps['airflow'].targets!['check']).toMatchObject({ executor: '@mlops/gitops:validate', options: {} });
    expect(ps['airflow'].targets!['check'].inputs).toContain('{workspaceRoot}/gitops/platform.yaml');
  });

  it('refuses an option it does not know, such as the former gitopsRoot, naming it and what is allowed', async () => {
    component('orchestration', 'airflow');

    await expect(projects({ gitopsRoot: 'deploy' })).rejects.toThrow(
      "Option 'gitopsRoot' of the @mlops/gitops plugin in nx.json is not known; must be one of: targetName. The GitOps tree is always gitops/.",
    );
  });

  it('parses the tree once: unchanged files reuse the model, a changed file rebuilds it', () => {
    component('orchestration', 'airflow');
    const first = loadTreeState(root, matchedFiles(), { root: 'gitops' }).model;
    expect(loadTreeState(root, matchedFiles(), { root: 'gitops' }).model).toBe(first);

    component('orchestration', 'airflow', ['postgresql']);
    expect(loadTreeState(root, matchedFiles(), { root: 'gitops' }).model).not.toBe(first);
  });
});

describe('createDependencies', () => {
  it('derives component edges from dependsOn, declared in component.yaml', async () => {
    component('platform-operators', 'strimzi-kafka-operator');
    component('data-plane', 'kafka-cluster', ['strimzi-kafka-operator']);

    expect(await edges()).toEqual(['kafka-cluster -> strimzi-kafka-operator (gitops/components/data-plane/kafka-cluster/component.yaml)']);
  });

  it('derives component edges from chart sources another component defines (HelmRepository and OCIRepository)', async () => {
    component('platform-operators', 'bitnami-charts');
    chartSource('platform-operators', 'bitnami-charts', 'HelmRepository', 'bitnami');
    component('orchestration', 'postgresql');
    helmRelease('orchestration', 'postgresql', 'HelmRepository', 'bitnami');
    component('platform-operators', 'oci-charts');
    chartSource('platform-operators', 'oci-charts', 'OCIRepository', 'mlflow-chart');
    component('ml-lifecycle', 'mlflow');
    write(
      'gitops/components/ml-lifecycle/mlflow/base/helmrelease.yaml',
      'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: { name: mlflow }\nspec:\n  chartRef: { kind: OCIRepository, name: mlflow-chart }\n',
    );
    component('orchestration', 'redis');
    chartSource('orchestration', 'redis', 'HelmRepository', 'redis');
    helmRelease('orchestration', 'redis', 'HelmRepository', 'redis');

    expect(await edges()).toEqual([
      'mlflow -> oci-charts (gitops/components/ml-lifecycle/mlflow/base/helmrelease.yaml)',
      'postgresql -> bitnami-charts (gitops/components/orchestration/postgresql/base/helmrelease.yaml)',
    ]);
  });

  it('derives environment edges from the overlays: a component is deployed where it has one, whatever the engine', async () => {
    component('platform-operators', 'redis-operator');
    component('orchestration', 'airflow');
    environment('development', 'engines: [flux]\n', ['redis-operator', 'airflow']);
    environment('qa', 'engines: [argocd]\n', ['airflow']);
    // A derived file alone does not deploy anything: only an overlay does.
    write('gitops/clusters/qa/argocd/apps/redis-operator.yaml', 'kind: Application\nmetadata: { name: redis-operator }\n');

    expect(await edges()).toEqual(['env-development -> airflow ()', 'env-development -> redis-operator ()', 'env-qa -> airflow ()']);
  });

  it('adds no edge for a reference to a missing component, and does not throw', async () => {
    component('orchestration', 'airflow', ['postgresql']);
    helmRelease('orchestration', 'airflow', 'HelmRepository', 'nowhere');
    environment('development', 'engines: [flux]\n', ['airflow', 'ghost']);

    expect(await edges()).toEqual(['env-development -> airflow ()']);
  });

  it('keeps the edge to a component whose component.yaml does not parse', async () => {
    component('orchestration', 'airflow', ['postgresql']);
    write('gitops/components/orchestration/postgresql/component.yaml', 'dependsOn: [unclosed\n');

    expect(await edges()).toEqual(['airflow -> postgresql (gitops/components/orchestration/airflow/component.yaml)']);
  });

  it("keeps the graph in Nx's workspace data between commands, and a changed tree never gets the old edges", async () => {
    component('platform-operators', 'bitnami-charts');
    chartSource('platform-operators', 'bitnami-charts', 'HelmRepository', 'bitnami');
    component('orchestration', 'postgresql');
    helmRelease('orchestration', 'postgresql', 'HelmRepository', 'bitnami');
    const before = await edges();
    const cacheFile = join(root, '.nx/workspace-data/mlops-gitops-graph.json');
    const stored = readFileSync(cacheFile, 'utf8');

    expect(await edges()).toEqual(before);
    expect(readFileSync(cacheFile, 'utf8')).toBe(stored);

    chartSource('orchestration', 'postgresql', 'HelmRepository', 'bitnami-mirror');
    helmRelease('orchestration', 'postgresql', 'HelmRepository', 'bitnami-mirror');
    component('data-plane', 'kafka-cluster', ['postgresql']);

    expect(before).toEqual(['postgresql -> bitnami-charts (gitops/components/orchestration/postgresql/base/helmrelease.yaml)']);
    expect(await edges()).toEqual(['kafka-cluster -> postgresql (gitops/components/data-plane/kafka-cluster/component.yaml)']);
  });

  it('keeps upward and cyclic edges (validation reports them) without throwing', async () => {
    component('platform-operators', 'spark-operator', ['airflow']);
    component('orchestration', 'airflow', ['spark-operator']);

    expect(await edges()).toEqual([
      'airflow -> spark-operator (gitops/components/orchestration/airflow/component.yaml)',
      'spark-operator -> airflow (gitops/components/platform-operators/spark-operator/component.yaml)',
    ]);
  });
});

/**
 * Ready for a shared remote cache and distributed execution: two clones of the workspace in
 * different directories compute the same `validate` task hashes (the hashes Nx uses as cache
 * keys, computed by Nx's own task hasher), a change moves only the hashes it should, and no
 * input, output or option of a validate target holds an absolute path.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createTempWorkspace, TempWorkspace, WORKSPACE_ROOT } from './support/workspace';

jest.setTimeout(10 * 60 * 1000);

/**
 * Hashes every validate task the way `nx run-many -t validate` does before it looks up the cache
 * (project graph → task graph → Nx's task hasher), printed as JSON { taskId: hash }.
 */
const HASH_TASKS = `
const { createProjectGraphAsync } = require('nx/src/devkit-exports');
const { readNxJson } = require('nx/src/config/nx-json');
const { createTaskGraph } = require('nx/src/tasks-runner/create-task-graph');
const { createTaskHasher } = require('nx/src/hasher/create-task-hasher');
const { hashTasksThatDoNotDependOnOutputsOfOtherTasks } = require('nx/src/hasher/hash-task');
(async () => {
  const graph = await createProjectGraphAsync({ exitOnError: true });
  const nxJson = readNxJson();
  const projects = Object.values(graph.nodes).filter((n) => n.data.targets && n.data.targets.validate).map((n) => n.name);
  const taskGraph = createTaskGraph(graph, {}, projects, ['validate'], undefined, {});
  await hashTasksThatDoNotDependOnOutputsOfOtherTasks(createTaskHasher(graph, nxJson), graph, taskGraph, nxJson, null);
  const hashes = {};
  for (const t of Object.values(taskGraph.tasks)) hashes[t.id] = t.hash;
  process.stdout.write(JSON.stringify(hashes));
})().catch((e) => { console.error(e); process.exit(1); });
`;

function taskHashes(ws: TempWorkspace): Record<string, string> {
  return JSON.parse(ws.run(process.execPath, ['-e', HASH_TASKS]).stdout);
}

/** Strings that would tie a cache entry to one machine. */
function absolutePaths(value: unknown, roots: string[]): string[] {
  const found: string[] = [];
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      if (/^(\/|[A-Za-z]:[\\/]|~\/)/.test(v) || roots.some((r) => v.includes(r))) found.push(v);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(value);
  return found;
}

/**
 * What a change to a component's files may move, read from the tree itself: the component, every
 * component whose component.yaml depends on it (directly or through others), and every
 * environment with an overlay of it.
 */
function expectedToMove(ws: TempWorkspace, component: string): string[] {
  const components = join(ws.root, 'gitops/components');
  const dirs = readdirSync(components).flatMap((layer) =>
    readdirSync(join(components, layer)).map((name) => ({ name, dir: join(components, layer, name) })),
  );
  const dependsOn = new Map(
    dirs.map(({ name, dir }) => [name, ((parse(readFileSync(join(dir, 'component.yaml'), 'utf8')) ?? {}).dependsOn ?? []) as string[]]),
  );
  const moved = new Set([component]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [name, deps] of dependsOn) {
      if (!moved.has(name) && deps.some((d) => moved.has(d))) grew = moved.add(name).size > 0;
    }
  }
  const own = dirs.find((d) => d.name === component)!;
  const environments = readdirSync(join(own.dir, 'overlays')).map((env) => `env-${env}`);
  return [...moved, ...environments];
}

describe('validate task hashes across clones', () => {
  let a: TempWorkspace;
  let b: TempWorkspace;
  let hashesA: Record<string, string>;

  beforeAll(() => {
    a = createTempWorkspace({ prefix: 'gitops-clone-a-' });
    b = createTempWorkspace({ prefix: 'gitops-clone-b-other-dir-' });
    hashesA = taskHashes(a);
  });

  afterAll(() => {
    a?.remove();
    b?.remove();
  });

  it('hashes a validate task for every component and environment of the live tree', () => {
    const projects = JSON.parse(a.nx(['show', 'projects', '--with-target', 'validate', '--json']).stdout) as string[];
    expect(projects.length).toBeGreaterThan(3);
    expect(Object.keys(hashesA).sort()).toEqual(projects.map((p) => `${p}:validate`).sort());
    expect(Object.values(hashesA).every((h) => /^\d+$/.test(h))).toBe(true);
  });

  it('computes the same hashes in a clone in another directory', () => {
    expect(a.root).not.toBe(b.root);
    expect(taskHashes(b)).toEqual(hashesA);
  });

  it('moves exactly the hashes of the changed component, the components that depend on it, and the environments that deploy it', () => {
    // postgresql: airflow and mlflow depend on it; every environment deploys it.
    const component = 'postgresql';
    const root = JSON.parse(b.nx(['show', 'project', component, '--json']).stdout).root as string;
    b.write(`${root}/component.yaml`, b.read(`${root}/component.yaml`) + '# touched\n');
    const changed = taskHashes(b);
    const moved = Object.keys(hashesA)
      .filter((id) => changed[id] !== hashesA[id])
      .sort();
    expect(moved).toEqual(
      expectedToMove(b, component)
        .map((p) => `${p}:validate`)
        .sort(),
    );
    expect(moved).toEqual(['airflow', 'env-development', 'env-production', 'env-staging', 'mlflow', 'postgresql'].map((p) => `${p}:validate`));
  });

  it('declares validate inputs, outputs and options without absolute paths', () => {
    const roots = [a.root, WORKSPACE_ROOT];
    a.nx(['graph', '--file=project-graph.json']);
    const nodes = JSON.parse(a.read('project-graph.json')).graph.nodes as Record<
      string,
      { data: { targets: Record<string, { cache?: boolean; inputs?: unknown; outputs?: unknown; options?: unknown }> } }
    >;
    const projects = Object.keys(nodes).filter((p) => nodes[p].data.targets.validate);
    expect(projects.length).toBeGreaterThan(3);
    for (const project of projects) {
      const target = nodes[project].data.targets.validate;
      expect(target.cache).toBe(true);
      expect(target.outputs).toEqual(expect.any(Array));
      expect({ project, absolute: absolutePaths([target.inputs, target.outputs, target.options], roots) }).toEqual({ project, absolute: [] });
    }
    const files = JSON.parse(a.nx(['show', 'target', 'inputs', `${projects[0]}:validate`, '--json']).stdout).files as string[];
    expect(files.length).toBeGreaterThan(0);
    expect(absolutePaths(files, roots)).toEqual([]);
  });
});

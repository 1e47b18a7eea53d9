/**
 * The inferred project graph as `nx` itself reports it: projects with tags,
 * edges from the manifests, and a broken tree that still leaves every nx
 * command working.
 */
import { join } from 'node:path';
import { createTempWorkspace, TempWorkspace, WORKSPACE_ROOT } from './support/workspace';

const { buildSyntheticTree } = require(join(WORKSPACE_ROOT, 'tools/bench/synthetic-tree.js')) as {
  buildSyntheticTree(dir: string, o: { components: number }): { plan: { name: string; layer: { name: string }; dependsOn: string[] }[] };
};

interface GraphJson {
  graph: { nodes: Record<string, { data: { root: string; tags: string[] } }>; dependencies: Record<string, { target: string }[]> };
}

function graph(ws: TempWorkspace): GraphJson['graph'] {
  ws.nx(['graph', '--file=graph.json']);
  return (JSON.parse(ws.read('graph.json')) as GraphJson).graph;
}

function targetsOf(g: GraphJson['graph'], project: string): string[] {
  return (g.dependencies[project] ?? []).map((d) => d.target).sort();
}

describe('inferred project graph', () => {
  let ws: TempWorkspace;
  let plan: { name: string; layer: { name: string }; dependsOn: string[] }[];

  beforeAll(() => {
    ws = createTempWorkspace({ prefix: 'gitops-graph-' });
    plan = buildSyntheticTree(ws.root, { components: 8 }).plan;
  }, 120_000);
  afterAll(() => ws?.remove());

  it('lists every component and every environment as a project, without project.json files', () => {
    const projects = JSON.parse(ws.nx(['show', 'projects', '--json', '-t', 'validate']).stdout) as string[];

    expect(projects.sort()).toEqual([...plan.map((c) => c.name), 'env-development', 'env-production', 'env-staging'].sort());
    expect(ws.exists(`gitops/components/${plan[0].layer.name}/${plan[0].name}/project.json`)).toBe(false);
  });

  it('tags projects by layer, type and engine, so the layers can be selected', () => {
    const g = graph(ws);
    const operators = JSON.parse(ws.nx(['show', 'projects', '--json', '--projects=tag:layer:platform-operators']).stdout) as string[];

    expect(g.nodes[plan[0].name].data.tags).toEqual([`layer:${plan[0].layer.name}`, 'type:component', 'engine:flux']);
    expect(g.nodes['env-production'].data.tags).toEqual(['type:environment', 'engine:flux']);
    expect(operators.sort()).toEqual(
      plan
        .filter((c) => c.layer.name === 'platform-operators')
        .map((c) => c.name)
        .sort(),
    );
  });

  it('derives edges from dependsOn and from what each environment deploys', () => {
    const g = graph(ws);
    const dependent = plan.find((c) => c.dependsOn.length)!;

    expect(targetsOf(g, dependent.name)).toEqual(dependent.dependsOn);
    expect(targetsOf(g, 'env-staging')).toEqual(plan.map((c) => c.name).sort());
  });

  it('keeps nx working on a broken tree: missing dependency, upward dependency, unparsable file', () => {
    const [low, high] = [plan[0], plan[plan.length - 1]];
    ws.write(`gitops/components/${low.layer.name}/${low.name}/component.yaml`, `kind: helm\ndependsOn: [${high.name}, does-not-exist]\n`);
    ws.write(`gitops/components/${high.layer.name}/${high.name}/component.yaml`, 'dependsOn: [unclosed\n');

    const g = graph(ws);

    expect(targetsOf(g, low.name)).toEqual([high.name]);
    expect(g.nodes[high.name].data.root).toBe(`gitops/components/${high.layer.name}/${high.name}`);
  });
});

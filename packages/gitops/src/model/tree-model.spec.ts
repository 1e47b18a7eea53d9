import { buildTreeModel, componentEdges, findCycles, SourceFile } from './tree-model';
import { layerViolationMessage, mayDependOn } from './platform';

const platform = `# layers
repository: { url: https://example.com/repo.git, branch: main }
defaultEngine: flux
layers:
  - { name: platform-operators, order: 1, namespace: platform-operators }
  - { name: data-plane, order: 2, namespace: data-plane }
  - { name: orchestration, order: 3, namespace: orchestration }
`;

function files(extra: Record<string, string>): SourceFile[] {
  return Object.entries({ 'gitops/platform.yaml': platform, ...extra }).map(([path, text]) => ({ path, text }));
}

describe('buildTreeModel', () => {
  it('reads components, their layer from the folder, and where each dependency is declared', () => {
    const model = buildTreeModel(
      files({
        'gitops/components/platform-operators/strimzi/component.yaml': 'kind: helm\n',
        'gitops/components/data-plane/kafka/component.yaml': '# kafka\nkind: manifests\ndependsOn:\n  - strimzi\n  - nope\n',
        'gitops/clusters/staging/environment.yaml': 'sync: auto\n',
      }),
    );
    expect(model.problems).toEqual([]);
    expect(model.components.get('kafka')).toMatchObject({ layer: 'data-plane', kind: 'manifests', dir: 'gitops/components/data-plane/kafka' });
    expect(model.environments.get('staging')?.engine).toBe('flux');
    const { edges, missing } = componentEdges(model);
    expect(edges.map((e) => `${e.from.name}->${e.to.name}`)).toEqual(['kafka->strimzi']);
    expect(missing).toEqual([{ from: model.components.get('kafka'), ref: { name: 'nope', file: 'gitops/components/data-plane/kafka/component.yaml', line: 5 } }]);
  });

  it('reports a broken platform file instead of throwing', () => {
    const model = buildTreeModel([{ path: 'gitops/platform.yaml', text: 'layers: [' }]);
    expect(model.platform).toBeUndefined();
    expect(model.problems.map((p) => p.rule)).toEqual(['platform-invalid', 'platform-missing']);
  });

  it('finds dependency cycles', () => {
    const model = buildTreeModel(
      files({
        'gitops/components/orchestration/a/component.yaml': 'dependsOn: [b]\n',
        'gitops/components/orchestration/b/component.yaml': 'dependsOn: [a]\n',
      }),
    );
    expect(findCycles(model)).toEqual([['a', 'b', 'a']]);
  });
});

describe('the layer rule', () => {
  const low = { name: 'platform-operators', order: 1, namespace: 'x' };
  const high = { name: 'orchestration', order: 3, namespace: 'y' };
  it('allows same or lower layers only', () => {
    expect(mayDependOn(high, low)).toBe(true);
    expect(mayDependOn(low, low)).toBe(true);
    expect(mayDependOn(low, high)).toBe(false);
  });
  it('names both components and both layers', () => {
    expect(layerViolationMessage({ component: 'strimzi', layer: low }, { component: 'airflow', layer: high })).toBe(
      "'strimzi' (layer platform-operators, order 1) must not depend on 'airflow' (layer orchestration, order 3): a component may depend only on its own layer or lower ones.",
    );
  });
});

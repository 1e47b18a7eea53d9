import { buildTreeModel, componentEdges, findCycles, SourceFile, walkDependencies } from './tree-model';
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
    expect(model.environments.get('staging')?.resolved?.engines).toEqual(['flux']);
    const { edges, missing } = componentEdges(model);
    expect(edges.map((e) => `${e.from.name}->${e.to.name}`)).toEqual(['kafka->strimzi']);
    expect(missing).toEqual([
      { from: model.components.get('kafka'), ref: { name: 'nope', file: 'gitops/components/data-plane/kafka/component.yaml', line: 5 } },
    ]);
  });

  it('reports a broken platform file instead of throwing', () => {
    const model = buildTreeModel([{ path: 'gitops/platform.yaml', text: 'layers: [' }]);
    expect(model.platform).toBeUndefined();
    expect(model.problems.map((p) => p.rule)).toEqual(['platform-invalid']);
  });

  it('reports a platform file that is not there as missing', () => {
    const model = buildTreeModel([{ path: 'gitops/clusters/development/environment.yaml', text: 'engine: flux\n' }]);
    expect(model.problems).toEqual([
      expect.objectContaining({
        rule: 'platform-missing',
        file: 'gitops/platform.yaml',
        message: 'gitops/platform.yaml is missing: it lists the layers.',
      }),
    ]);
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

describe('component.yaml problems', () => {
  it('records a kind that is not helm or manifests at its line, instead of reading it as helm', () => {
    const model = buildTreeModel(files({ 'gitops/components/data-plane/kafka/component.yaml': 'name: kafka\nkind: manifest\n' }));
    expect(model.problems).toEqual([
      {
        file: 'gitops/components/data-plane/kafka/component.yaml',
        line: 2,
        rule: 'config-invalid',
        message: "Kind 'manifest' is not allowed; must be one of: helm, manifests.",
      },
    ]);
  });

  it('records a dependsOn written as one name instead of a list, instead of dropping it', () => {
    const model = buildTreeModel(files({ 'gitops/components/data-plane/kafka/component.yaml': 'kind: manifests\ndependsOn: strimzi\n' }));
    expect(model.problems).toEqual([
      expect.objectContaining({
        line: 2,
        rule: 'config-invalid',
        message: expect.stringContaining("'dependsOn' must be a list of component names; got 'strimzi'"),
      }),
    ]);
  });
});

describe('environment settings in the model', () => {
  it('resolves defaults once: the platform engine, production manual and pinned unless it says otherwise', () => {
    const model = buildTreeModel(
      files({
        'gitops/platform.yaml': platform.replace('defaultEngine: flux', 'defaultEngines: [argocd]'),
        'gitops/clusters/production/environment.yaml': 'size: medium\n',
        'gitops/clusters/qa/environment.yaml': 'engine: flux\n',
        'gitops/clusters/edge/environment.yaml': 'sync: manual\n',
      }),
    );
    expect(model.environments.get('production')?.resolved).toEqual({
      name: 'production',
      engines: ['argocd'],
      sync: 'manual',
      prune: false,
      selfHeal: false,
      pinVersions: true,
      size: 'medium',
      secrets: 'external-secrets',
    });
    expect(model.environments.get('qa')?.resolved).toEqual({
      name: 'qa',
      engines: ['flux'],
      sync: 'auto',
      prune: true,
      selfHeal: true,
      pinVersions: false,
      size: 'small',
      secrets: 'external-secrets',
    });
    expect(model.environments.get('edge')?.resolved).toMatchObject({
      engines: ['argocd'],
      sync: 'manual',
      prune: false,
      selfHeal: false,
      pinVersions: false,
    });
  });

  it('leaves resolved unset for a value of the wrong kind (validation reports it at its key)', () => {
    const model = buildTreeModel(files({ 'gitops/clusters/qa/environment.yaml': 'sync: sometimes\n' }));
    expect(model.environments.get('qa')?.resolved).toBeUndefined();
  });
});

describe('walkDependencies', () => {
  const graph: Record<string, string[]> = { airflow: ['postgresql', 'redis'], postgresql: ['sealed-secrets'], redis: [], 'sealed-secrets': [] };
  it('orders every name after what it depends on', () => {
    expect(walkDependencies(Object.keys(graph).sort(), (n) => graph[n] ?? [])).toEqual({
      cycles: [],
      order: ['sealed-secrets', 'postgresql', 'redis', 'airflow'],
    });
  });
  it('reports a cycle starting from the root given first', () => {
    const looped: Record<string, string[]> = { ...graph, 'sealed-secrets': ['airflow'] };
    expect(walkDependencies(['postgresql'], (n) => looped[n] ?? []).cycles).toEqual([['postgresql', 'sealed-secrets', 'airflow', 'postgresql']]);
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

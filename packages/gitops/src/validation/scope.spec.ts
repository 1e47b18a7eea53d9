import { memoryReader } from './file-reader';
import { LoadedTree } from './stages/1-load';
import { scopeOf } from './scope';

const FILES = {
  'apps/podinfo/release.yaml': 'kind: A\n',
  'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
  'charts/web/templates/svc.yaml': 'metadata:\n  name: {{ .Release.Name }}\n',
  'experiments/a/x.yaml': 'kind: B\n',
  'apps/.sourceignore': '# kept out of the artifact Flux deploys\n/drafts/\n',
  'apps/drafts/y.yaml': 'kind: C\n',
  'docs/example.yaml': 'kind: D\n',
  '.sourceignore': 'docs/\n',
};

describe('scope: what a run leaves out', () => {
  it('skips Helm chart folders, --exclude patterns and what .sourceignore files exclude, and says so', () => {
    const reader = memoryReader(FILES);
    const tree = new LoadedTree(reader, scopeOf(reader, ['experiments/']));
    expect(tree.yamlFilesUnder('')).toEqual(['apps/podinfo/release.yaml']);
    expect(tree.scope.skipped()).toEqual([
      { path: 'apps/drafts', reason: 'sourceignore' },
      { path: 'charts/web', reason: 'helm-chart' },
      { path: 'docs', reason: 'sourceignore' },
      { path: 'experiments', reason: 'excluded' },
    ]);
    // The chart's templates are never parsed (they are not YAML until Helm renders them).
    expect(tree.parsedFiles()).toEqual([]);
  });

  it('treats a tree whose root is a chart as one skipped folder', () => {
    const reader = memoryReader({ 'Chart.yaml': 'name: c\n', 'templates/svc.yaml': 'port: {{ .Values.port }}\n' });
    const tree = new LoadedTree(reader, scopeOf(reader));
    expect(tree.yamlFilesUnder('')).toEqual([]);
    expect(tree.scope.skipped()).toEqual([{ path: '.', reason: 'helm-chart' }]);
  });
});

import { memoryReader } from '../file-reader';
import { LoadedTree, objectsOf } from './1-load';

function load(files: Record<string, string>): LoadedTree {
  return new LoadedTree(memoryReader(files));
}

describe('stage 1, load', () => {
  describe('YAML problems come with file, line and column', () => {
    it('reports a syntax error at its position and keeps going', () => {
      const tree = load({ 'apps/bad.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a: b\n', 'apps/good.yaml': 'a: 1\n' });
      tree.file('apps/bad.yaml');
      tree.file('apps/good.yaml');
      expect(tree.findings).toEqual([
        expect.objectContaining({
          rule: 'yaml-syntax',
          file: 'apps/bad.yaml',
          line: 4,
          severity: 'error',
          message: expect.stringContaining('apps/bad.yaml is not valid YAML'),
        }),
      ]);
      expect(tree.findings[0].column).toBe(9);
      expect(tree.file('apps/good.yaml')?.documents[0].value).toEqual({ a: 1 });
    });

    it('reports a duplicate key at the second occurrence, with a hint', () => {
      const tree = load({ 'x.yaml': 'metadata:\n  name: a\nspec:\n  interval: 1m\n  url: https://x\n  interval: 5m\n' });
      tree.file('x.yaml');
      expect(tree.findings).toEqual([
        expect.objectContaining({
          rule: 'yaml-duplicate-key',
          file: 'x.yaml',
          line: 6,
          column: 3,
          hint: expect.stringContaining('keep only the last one'),
        }),
      ]);
    });

    it('parses each file once: asking twice reports once', () => {
      const tree = load({ 'x.yaml': 'a: 1\na: 2\n' });
      tree.file('x.yaml');
      tree.file('x.yaml');
      expect(tree.findings.map((f) => f.rule)).toEqual(['yaml-duplicate-key']);
      expect(tree.fileCount).toBe(1);
    });

    it('ignores files that are not YAML or do not exist', () => {
      const tree = load({ 'README.md': '# a: b: c' });
      expect(tree.file('README.md')).toBeUndefined();
      expect(tree.file('missing.yaml')).toBeUndefined();
      expect(tree.findings).toEqual([]);
    });
  });

  it('reads every Kubernetes object of a multi-document file, each at its own line', () => {
    const text = [
      '# a comment-only document',
      '---',
      'apiVersion: v1',
      'kind: Namespace',
      'metadata: { name: a }',
      '---',
      'not: an object',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: { name: b }',
      '',
    ].join('\n');
    const tree = load({ 'multi.yaml': text });
    const parsed = tree.file('multi.yaml')!;
    const lineOfDocument = (index: number) => parsed.documents.find((d) => d.index === index)?.line;
    expect(objectsOf(parsed).map((o) => [o.object.kind, lineOfDocument(o.documentIndex)])).toEqual([
      ['Namespace', 3],
      ['ConfigMap', 9],
    ]);
  });

  describe('kustomizations', () => {
    const tree = load({
      'base/kustomization.yaml':
        'resources:\n  - source.yaml\n  - https://example.com/remote.yaml\nconfigMapGenerator:\n  - name: v\n    files: [base.yaml=values.yaml]\n',
      'base/source.yaml': 'a: 1\n',
      'base/values.yaml': 'a: 1\n',
      'overlays/prod/kustomization.yaml': 'bases:\n  - ../../base\npatchesStrategicMerge:\n  - patch.yaml\n',
      'overlays/prod/patch.yaml': 'a: 1\n',
    });

    it('knows which directories and files a kustomization reads (remote resources left out)', () => {
      expect(tree.kustomization('base')).toEqual(
        expect.objectContaining({
          file: 'base/kustomization.yaml',
          includes: [],
          files: ['base/kustomization.yaml', 'base/source.yaml', 'base/values.yaml'],
        }),
      );
      expect(tree.closure('overlays/prod')).toEqual(['overlays/prod', 'base']);
      expect(tree.kustomization('overlays')).toBeUndefined();
    });

    it('reports deprecated fields at their key line and names the replacement', () => {
      tree.kustomization('overlays/prod');
      expect(tree.findings).toEqual([
        expect.objectContaining({
          rule: 'deprecated-api',
          file: 'overlays/prod/kustomization.yaml',
          line: 1,
          message: expect.stringContaining("'bases'"),
          hint: expect.stringContaining("Use 'resources'"),
        }),
        expect.objectContaining({
          rule: 'deprecated-api',
          file: 'overlays/prod/kustomization.yaml',
          line: 3,
          message: expect.stringContaining("'patchesStrategicMerge'"),
          hint: expect.stringContaining("Use 'patches'"),
        }),
      ]);
    });
  });
});

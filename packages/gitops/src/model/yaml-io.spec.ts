import { addToSequence, editYaml, lineOf, parseYamlFile, setIfChanged, toYaml } from './yaml-io';

describe('parseYamlFile', () => {
  it('reports duplicate keys with line and column', () => {
    const parsed = parseYamlFile('x.yaml', 'a: 1\nb: 2\na: 3\n');
    expect(parsed.errors).toEqual([expect.objectContaining({ code: 'DUPLICATE_KEY', line: 3, column: 1 })]);
  });

  it('reads multi-document files with anchors and knows where values are', () => {
    const text = '# first\nkind: A\n---\nkind: B\nbase: &b { x: 1 }\nspec:\n  copy: *b\n  valuez: 2\n';
    const parsed = parseYamlFile('x.yaml', text);
    expect(parsed.errors).toEqual([]);
    expect(parsed.documents.map((d) => d.value)).toEqual([{ kind: 'A' }, { kind: 'B', base: { x: 1 }, spec: { copy: { x: 1 }, valuez: 2 } }]);
    expect(lineOf(parsed, 1, ['spec', 'valuez'])).toBe(8);
  });

  it('reports an alias to an anchor of another document instead of throwing', () => {
    const parsed = parseYamlFile('x.yaml', 'a: &b 1\n---\nc: *b\n');
    expect(parsed.errors.length).toBeGreaterThan(0);
    expect(parsed.documents.map((d) => d.value)).toEqual([{ a: 1 }]);
  });
});

describe('editing keeps what people wrote', () => {
  const text = '# chart pinned by the platform team\nspec:\n  chart:\n    spec:\n      version: 1.0.0 # bump with care\n  values:\n    replicas: 3\n';

  it('changes one value and keeps comments', () => {
    const out = editYaml(text, (doc) => setIfChanged(doc, ['spec', 'chart', 'spec', 'version'], '1.1.0'));
    expect(out).toBe(text.replace('1.0.0', '1.1.0'));
  });

  it('returns the same text when nothing changes', () => {
    expect(editYaml(text, (doc) => setIfChanged(doc, ['spec', 'values', 'replicas'], 3))).toBe(text);
  });

  it('leaves a file laid out by hand (other indentation, quotes) as it is when nothing changes', () => {
    const handLaidOut = "spec:\n    dependsOn:\n    -   name: 'postgresql'\n";
    expect(editYaml(handLaidOut, (doc) => setIfChanged(doc, ['spec', 'dependsOn'], [{ name: 'postgresql' }]))).toBe(handLaidOut);
  });

  it('adds to sorted lists in order, once', () => {
    const list = 'resources:\n  - a.yaml\n  - c.yaml\n';
    const once = editYaml(list, (doc) => addToSequence(doc, ['resources'], 'b.yaml'));
    expect(once).toBe('resources:\n  - a.yaml\n  - b.yaml\n  - c.yaml\n');
    expect(editYaml(once, (doc) => addToSequence(doc, ['resources'], 'b.yaml'))).toBe(once);
  });
});

describe('toYaml', () => {
  it('writes documents with a header comment', () => {
    expect(toYaml([{ a: 1 }, { b: 2 }], 'generated')).toBe('# generated\na: 1\n---\nb: 2\n');
  });
});

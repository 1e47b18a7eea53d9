import { formatFiles, Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { editYaml, setIfChanged, toYaml } from '../../model/yaml-io';
import { alreadyFormatted, formatChangedFiles, isWriterStyle } from './format';

const REPO = join(__dirname, '../../../../..');

/** Every YAML file of the repository: the live tree, the fixtures (valid and broken), the catalog. */
function repositoryYaml(): { path: string; text: string }[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--', 'gitops', 'packages/gitops/fixtures', 'generators'], { cwd: REPO, encoding: 'utf-8' });
  return listed
    .split('\0')
    .filter((p) => /\.ya?ml$/.test(p))
    .map((path) => ({ path, text: readFileSync(join(REPO, path), 'utf-8') }));
}

async function prettierFormat(text: string, printWidth: number): Promise<string> {
  const prettier = await import('prettier');
  return prettier.format(text, { parser: 'yaml', singleQuote: true, printWidth });
}

describe('formatting what the generators wrote', () => {
  it.each([150, 80, 40])('leaves out only YAML that prettier (singleQuote, printWidth %i) would leave as it is', async (printWidth) => {
    const files = repositoryYaml();
    const tree = createTreeWithEmptyWorkspace();
    for (const f of files) tree.write(f.path, f.text);
    const left = alreadyFormatted(tree.listChanges(), printWidth);
    // At the usual widths most of what the tool writes is left out, or the shortcut buys nothing.
    if (printWidth >= 80) expect(left.size).toBeGreaterThan(files.length / 2);
    const changed: string[] = [];
    for (const f of files) if (left.has(f.path) && (await prettierFormat(f.text, printWidth)) !== f.text) changed.push(f.path);
    expect(changed).toEqual([]);
  });

  it('leaves out only what prettier would leave as it is among values the writer quotes', async () => {
    const tricky = [
      "it's",
      'say "hi"',
      'a: b',
      '# not a comment',
      '*star',
      'yes',
      '1',
      '',
      'line\nbreak',
      'tab\there',
      '  padded',
      'ünï',
      '@at',
      '%pct',
    ];
    const tree = createTreeWithEmptyWorkspace();
    tricky.forEach((value, i) =>
      tree.write(`gitops/t${i}.yaml`, toYaml({ key: value, list: [value], nested: { [value || 'empty']: value } }, 'header')),
    );
    const left = alreadyFormatted(tree.listChanges(), 80);
    expect(left.size).toBeGreaterThan(0);
    for (const path of left) expect([path, await prettierFormat(tree.read(path, 'utf-8')!, 80)]).toEqual([path, tree.read(path, 'utf-8')]);
  });

  it('leaves an edited file to prettier when it keeps a string prettier quotes otherwise', async () => {
    const tree = createTreeWithEmptyWorkspace();
    const edit = (text: string) => editYaml(text, (doc) => setIfChanged(doc, ['spec', 'version'], '2.0.0'));
    tree.write('gitops/kept-quotes.yaml', edit('metadata:\n  wave: "1"\nspec:\n  version: 1.0.0\n'));
    tree.write('gitops/plain.yaml', edit("metadata:\n  wave: '1'\nspec:\n  version: 1.0.0\n"));
    const left = alreadyFormatted(tree.listChanges(), 80);
    expect([...left]).toEqual(['gitops/plain.yaml']);
    expect(await prettierFormat(tree.read('gitops/plain.yaml', 'utf-8')!, 80)).toBe(tree.read('gitops/plain.yaml', 'utf-8'));
    expect(await prettierFormat(tree.read('gitops/kept-quotes.yaml', 'utf-8')!, 80)).not.toBe(tree.read('gitops/kept-quotes.yaml', 'utf-8'));
  });

  it('gives the same files as formatFiles', async () => {
    const write = (tree: Tree) => {
      tree.write('.prettierrc', JSON.stringify({ singleQuote: true }));
      tree.write('gitops/a/written.yaml', "# header\nkind: ConfigMap\nmetadata:\n  annotations:\n    wave: '1'\ndata:\n  key: value\n");
      tree.write('gitops/a/double-quoted.yaml', 'metadata:\n  annotations:\n    wave: "1"\n');
      tree.write('gitops/a/by-hand.yaml', 'spec:\n    dependsOn:\n    -   name: postgresql\n');
      tree.write('gitops/a/flow.yaml', 'resources: [a.yaml,   b.yaml]\n');
      tree.write('gitops/a/long.yaml', `key: ${'word '.repeat(30).trim()}\nlist: [${Array.from({ length: 30 }, (_, i) => `item${i}`).join(', ')}]\n`);
      tree.write('gitops/a/README.md', '# Title\n\n\n*   item\n');
    };
    const expected = createTreeWithEmptyWorkspace({ formatter: 'prettier' } as never);
    write(expected);
    await formatFiles(expected);
    const actual = createTreeWithEmptyWorkspace({ formatter: 'prettier' } as never);
    write(actual);
    await formatChangedFiles(actual);
    for (const c of expected.listChanges()) expect([c.path, actual.read(c.path, 'utf-8')]).toEqual([c.path, c.content?.toString('utf-8') ?? null]);
    expect(actual.read('gitops/a/double-quoted.yaml', 'utf-8')).toContain("wave: '1'");
  });

  it.each([
    [{ singleQuote: true }, true],
    [{ singleQuote: true, printWidth: 150 }, true],
    [{}, false],
    [{ singleQuote: true, tabWidth: 4 }, false],
    [{ singleQuote: true, proseWrap: 'always' }, false],
    [{ singleQuote: true, plugins: ['prettier-plugin-x'] }, false],
    [null, false],
  ])('skips only under prettier options the writer follows: %j -> %s', (options, expected) => {
    expect(isWriterStyle(options)).toBe(expected);
  });
});

/**
 * The generators' last step: Nx's `formatFiles` over what they wrote, minus the YAML files that
 * are already what prettier would make of them.
 *
 * Why: prettier costs a few milliseconds a file, most of it looking for configuration files up the
 * directory tree of each one, and `promote --all` or an `import` writes hundreds. The YAML writer
 * (model/yaml-io.ts `YAML_STYLE`) writes prettier's form for `singleQuote: true`, so a file in the
 * writer's form (`inWriterForm`), in a workspace whose prettier options for the GitOps tree are
 * that form, comes out of prettier unchanged and is left out. Everything else (templates, files
 * laid out by hand, other prettier options, `NX_SKIP_FORMAT`) goes through `formatFiles` as before.
 */
import { FileChange, formatFiles, Tree } from '@nx/devkit';
import { join } from 'node:path';
import { platformFile } from '../../model/layout';
import { inWriterForm } from '../../model/yaml-io';

const PRETTIER_RC = '.prettierrc';
/** prettier's default. */
const DEFAULT_PRINT_WIDTH = 80;

export async function formatChangedFiles(tree: Tree): Promise<void> {
  // Listed once: the Nx Tree looks at the disk for every change it lists, and an import writes 1,400 files.
  const changes = tree.listChanges();
  const options = process.env.NX_SKIP_FORMAT === 'true' ? null : await prettierOptionsForTree(tree, changes);
  const formatted = isWriterStyle(options) ? alreadyFormatted(changes, Number(options!.printWidth ?? DEFAULT_PRINT_WIDTH)) : new Set<string>();
  await formatFiles(
    formatted.size > 0
      ? withChanges(
          tree,
          changes.filter((c) => !formatted.has(c.path)),
        )
      : tree,
  );
}

/**
 * The changed YAML files that prettier would leave as they are. A file with a line of data longer
 * than the print width is left to prettier: that is where it may lay out a key or a collection
 * otherwise (it never rewraps comments).
 */
export function alreadyFormatted(changes: FileChange[], printWidth: number): Set<string> {
  const paths = new Set<string>();
  for (const change of changes) {
    if (change.type === 'DELETE' || !/\.ya?ml$/.test(change.path) || !change.content) continue;
    const text = change.content.toString('utf-8');
    if (text.split('\n').every((line) => line.length <= printWidth || line.trimStart().startsWith('#')) && inWriterForm(text)) paths.add(change.path);
  }
  return paths;
}

/** Prettier's options for a file of the GitOps tree: the configuration on disk, and a `.prettierrc` the tree changed (as formatFiles reads them). */
async function prettierOptionsForTree(tree: Tree, changes: FileChange[]): Promise<Record<string, unknown> | null> {
  let prettier: { resolveConfig(path: string, o: { editorconfig: boolean }): Promise<Record<string, unknown> | null> };
  try {
    prettier = await import('prettier');
  } catch {
    return null;
  }
  const onDisk = await prettier.resolveConfig(join(tree.root, platformFile()), { editorconfig: true });
  const inTree = changes.find((c) => c.path === PRETTIER_RC && c.type !== 'DELETE');
  if (!inTree) return onDisk;
  try {
    return { ...onDisk, ...JSON.parse(inTree.content!.toString('utf-8')) };
  } catch {
    return null; // not JSON: let formatFiles read it
  }
}

/** Whether prettier's YAML options are the writer's form: single quotes, two spaces, prose kept, no plugins, LF. */
export function isWriterStyle(o: Record<string, unknown> | null): boolean {
  if (!o) return false;
  return (
    o.singleQuote === true &&
    (o.tabWidth ?? 2) === 2 &&
    !o.useTabs &&
    (o.proseWrap ?? 'preserve') === 'preserve' &&
    o.bracketSpacing !== false &&
    (o.endOfLine ?? 'lf') !== 'crlf' &&
    (o.endOfLine ?? 'lf') !== 'cr' &&
    !(Array.isArray(o.plugins) && o.plugins.length > 0) &&
    (o.parser === undefined || o.parser === 'yaml') &&
    !o.overrides
  );
}

/** The tree as formatFiles should see it: the same tree, listing `changes` as its changes (formatFiles lists them once, first). */
function withChanges(tree: Tree, changes: FileChange[]): Tree {
  return new Proxy(tree, {
    get(target, key) {
      if (key === 'listChanges') return () => changes;
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

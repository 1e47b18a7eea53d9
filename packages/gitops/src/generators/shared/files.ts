/** Write helpers over the Nx Tree that never touch a file whose content is already right. */
import { Tree } from '@nx/devkit';
import { Document } from 'yaml';
import { editYaml, setIfChanged } from '../../model/yaml-io';

/**
 * Creates a file unless it exists; an existing file (maybe edited by hand) is left alone.
 * (`isFile`, not `exists`: the Nx Tree answers `exists` for a missing path by scanning every change
 * of the run, and a generator writing a thousand files asks a thousand times.)
 */
export function writeIfMissing(tree: Tree, path: string, content: string): boolean {
  if (tree.isFile(path)) return false;
  tree.write(path, content);
  return true;
}

/** Edits an existing YAML file in place with the Document API (see editYaml); writes only on a real change, nothing for a missing file. */
export function editYamlFile(tree: Tree, path: string, mutate: (doc: Document.Parsed) => boolean | void): boolean {
  const before = tree.read(path, 'utf-8');
  if (before === null) return false;
  const after = editYaml(before, mutate);
  if (after === before) return false;
  tree.write(path, after);
  return true;
}

/**
 * Keeps one field of an existing YAML file equal to `value` (removed when `value` is undefined);
 * returns whether the file changed. A missing file is left missing.
 */
export function setYamlField(tree: Tree, path: string, field: (string | number)[], value: unknown): boolean {
  if (!tree.isFile(path)) return false;
  return editYamlFile(tree, path, (doc) => {
    if (value !== undefined) setIfChanged(doc, field, value);
    else if (doc.hasIn(field)) doc.deleteIn(field);
  });
}

/** Every file under `dir`, through the Tree (it lists a folder's files only one level at a time). */
export function filesUnder(tree: Tree, dir: string): string[] {
  if (!tree.exists(dir)) return [];
  return tree.children(dir).flatMap((child) => {
    const path = `${dir}/${child}`;
    return tree.isFile(path) ? [path] : filesUnder(tree, path);
  });
}

/** Deletes every file under `dir`. */
export function deleteFolder(tree: Tree, dir: string): void {
  for (const path of filesUnder(tree, dir)) tree.delete(path);
}

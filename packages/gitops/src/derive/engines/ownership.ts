/**
 * Which files in an engine's folders the tool owns. A file is the tool's when one of its objects
 * carries the managed-by label (every file derive writes does). Trees written before the label
 * existed are recognised by what they deploy: a folder under gitops/components/. Anything else in
 * those folders was written by a person and is left alone.
 */
import { componentsDir } from '../../model/layout';
import { readYamlDocuments } from '../../model/yaml-io';
import { isManaged } from '../desired';
import { TreeView, yamlFilesIn } from '../tree-view';

export function isOwnedFile(view: TreeView, path: string): boolean {
  const text = view.read(path);
  if (text === null) return false;
  let objects: unknown[];
  try {
    objects = readYamlDocuments(path, text);
  } catch {
    return false;
  }
  return objects.some(isManaged) || text.includes(`${componentsDir()}/`);
}

/** The owned YAML files directly in `dir`, as paths. */
export function ownedFilesIn(view: TreeView, dir: string): string[] {
  return yamlFilesIn(view, dir)
    .map((f) => `${dir}/${f}`)
    .filter((path) => isOwnedFile(view, path));
}

/** The paths among `paths` that exist. */
export function existing(view: TreeView, paths: string[]): string[] {
  return paths.filter((p) => view.isFile(p));
}

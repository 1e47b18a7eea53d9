/** Write helpers over the Nx Tree that never touch a file whose content is already right. */
import { Tree } from '@nx/devkit';
import { Document } from 'yaml';
import { editYaml } from '../../model/yaml-io';

/** Creates a file unless it exists; an existing file (maybe edited by hand) is left alone. */
export function writeIfMissing(tree: Tree, path: string, content: string): boolean {
  if (tree.exists(path)) return false;
  tree.write(path, content);
  return true;
}

/** Edits an existing YAML file in place with the Document API; writes only on a real change. */
export function editYamlFile(tree: Tree, path: string, mutate: (doc: Document.Parsed) => void): boolean {
  const before = tree.read(path, 'utf-8')!;
  const after = editYaml(before, mutate);
  if (after === before) return false;
  tree.write(path, after);
  return true;
}

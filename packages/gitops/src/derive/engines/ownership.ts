/**
 * Which files in an engine's folders the tool owns. A file is the tool's when one of its objects
 * carries the managed-by label (every file derive writes does). Trees written before the label
 * existed are recognised by the derived formula itself: an object named like its file that
 * deploys exactly that component's overlay for this environment (a Flux Kustomization's path,
 * an Argo CD Application's source or values), or a layer's AppProject in project-<layer>.yaml.
 * Anything else in those folders was written by a person and is left alone.
 */
import { posix } from 'node:path';
import { componentsDir, OVERLAYS_DIR } from '../../model/layout';
import { readYamlDocuments } from '../../model/yaml-io';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../../manifests/types';
import { isManaged } from '../desired';
import { TreeView, yamlFilesIn } from '../tree-view';

export function isOwnedFile(view: TreeView, path: string, env: string): boolean {
  const text = view.read(path);
  if (text === null) return false;
  // Every file derive writes says so in its label: no need to parse it.
  if (text.includes(`${MANAGED_BY_LABEL}: ${MANAGED_BY}`)) return true;
  let objects: unknown[];
  try {
    objects = readYamlDocuments(path, text);
  } catch {
    return false;
  }
  return objects.some(isManaged) || (objects.length === 1 && isLegacyEntry(objects[0], posix.basename(path, '.yaml'), env));
}

function isLegacyEntry(object: unknown, fileName: string, env: string): boolean {
  const o = object as { kind?: unknown; metadata?: { name?: unknown }; spec?: Record<string, any> } | null;
  if (!o || o.metadata?.name === undefined) return false;
  const name = String(o.metadata.name);
  if (o.kind === 'AppProject') return fileName === `project-${name}`;
  if (fileName !== name) return false;
  const overlay = new RegExp(`^(\\./)?${componentsDir()}/[^/]+/${name}/${OVERLAYS_DIR}/${env}$`);
  const values = new RegExp(`/${componentsDir()}/[^/]+/${name}/`);
  if (o.kind === 'Kustomization') return overlay.test(String(o.spec?.path ?? ''));
  if (o.kind === 'Application') {
    const sources: any[] = [o.spec?.source, ...(o.spec?.sources ?? [])].filter(Boolean);
    return sources.some((s) => overlay.test(String(s.path ?? '')) || (s.helm?.valueFiles ?? []).some((f: unknown) => values.test(String(f))));
  }
  return false;
}

/** The owned YAML files directly in `dir`, as paths. */
export function ownedFilesIn(view: TreeView, dir: string, env: string): string[] {
  return yamlFilesIn(view, dir)
    .map((f) => `${dir}/${f}`)
    .filter((path) => isOwnedFile(view, path, env));
}

/** The paths among `paths` that exist. */
export function existing(view: TreeView, paths: string[]): string[] {
  return paths.filter((p) => view.isFile(p));
}

/**
 * `latest` in a component's values files (layout mode): the values keys its blueprint names as
 * image tags (`images:` in generators/<name>.yaml, the keys `release` and `promote` set), and every
 * `image.tag`. Flux and Argo CD read these files as chart values, so a `latest` here is an image
 * that runs. Reported at the file and line of the value.
 */
import { catalogFor, CatalogFiles, imageKeys, loadBlueprint } from '../../model/catalog';
import { componentBaseFile, OVERLAYS_DIR, VALUES_FILE } from '../../model/layout';
import { TreeModel } from '../../model/tree-model';
import { lineOf } from '../../model/yaml-io';
import { FileReader } from '../file-reader';
import { Finding } from '../types';
import type { ParsedFiles } from './7-drift';

function catalogOf(reader: FileReader): CatalogFiles {
  return {
    read: (path) => (reader.isFile(path) ? reader.read(path) : null),
    exists: (path) => reader.isFile(path) || reader.isDirectory(path),
    children: (dir) => reader.listEntries(dir),
  };
}

export function checkImageValues(tree: ParsedFiles, model: TreeModel, componentDirs: string[]): Finding[] {
  const catalog = catalogFor(catalogOf(tree.reader));
  const findings: Finding[] = [];
  for (const c of model.components.values()) {
    if (c.kind !== 'helm' || !componentDirs.includes(c.dir)) continue;
    let keys: string[][] = [['image', 'tag']];
    try {
      const blueprint = loadBlueprint(catalog, c.name);
      if (blueprint) keys = [...keys, ...imageKeys(blueprint)];
    } catch {
      // A broken blueprint is the catalog's problem (the generators report it), not this tree's.
    }
    const files = [
      componentBaseFile(c.layer, c.name, VALUES_FILE),
      ...tree.reader.listDirs(`${c.dir}/${OVERLAYS_DIR}`).map((env) => `${c.dir}/${OVERLAYS_DIR}/${env}/${VALUES_FILE}`),
    ];
    for (const path of files) {
      const parsed = tree.reader.isFile(path) ? tree.file(path) : undefined;
      const values = parsed?.documents[0]?.value;
      for (const key of keys) {
        let node: unknown = values;
        for (const k of key) node = (node as Record<string, unknown> | null | undefined)?.[k];
        if (node !== 'latest') continue;
        findings.push({
          target: '',
          file: path,
          line: lineOf(parsed!, 0, key),
          rule: 'image-latest',
          severity: 'error',
          message: `${key.join('.')} of ${c.name} is 'latest': the image that runs would float.`,
          hint: `Pin an exact tag, e.g. with 'nx g @mlops/gitops:release ${c.name} --environment <env> --imageTag <x.y.z>'.`,
        });
      }
    }
  }
  return findings;
}

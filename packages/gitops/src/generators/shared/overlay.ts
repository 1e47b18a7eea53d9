/** A component's overlay for one environment: values, chart version, size patches. */
import { Tree } from '@nx/devkit';
import {
  KUSTOMIZATION_FILE,
  overlayDir,
  overlayFile,
  SIZE_PATCH_FILE,
  VALUES_FILE,
  VERSION_PATCH_FILE,
} from '../../model/layout';
import { setIfChanged, readYaml, toYaml } from '../../model/yaml-io';
import { ComponentSpec, EnvironmentSettings, overlayKustomization, versionPatch, versionPath } from '../../manifests';
import { editYamlFile, writeIfMissing } from './files';
import { readText } from './workspace';

export interface OverlayContent {
  /** values.yaml text, or values to write (helm components). */
  values?: string | Record<string, unknown>;
  /** Chart version of this environment (helm components). */
  version?: string;
  /** size.yaml text, or patches to write (plain-manifest components). */
  sizePatches?: string | unknown[];
}

export function overlayExists(tree: Tree, c: ComponentSpec, env: string): boolean {
  return tree.exists(overlayFile(c.layer.name, c.name, env, KUSTOMIZATION_FILE));
}

function valuesText(c: ComponentSpec, env: EnvironmentSettings, values: string | Record<string, unknown> | undefined): string {
  if (typeof values === 'string') return values;
  return toYaml(
    values ?? {},
    `Values of ${c.name} in ${env.name} (size ${env.size}), merged over ../../base/values.yaml.\n` +
      `Flux reads them through the ConfigMap ${c.name}-values, Argo CD as a value file.`,
  );
}

function sizePatchText(c: ComponentSpec, env: EnvironmentSettings, patches: string | unknown[]): string {
  if (typeof patches === 'string') return patches;
  return toYaml(patches, `Size ${env.size} of ${c.name} in ${env.name}: strategic-merge patches of the base objects.`);
}

/** Writes the overlay files that are missing; existing ones keep their hand edits. */
export function writeOverlay(tree: Tree, c: ComponentSpec, env: EnvironmentSettings, content: OverlayContent): void {
  const file = (name: string) => overlayFile(c.layer.name, c.name, env.name, name);
  const hasSizePatch = c.kind === 'manifests' && content.sizePatches !== undefined && content.sizePatches.length > 0;
  writeIfMissing(tree, file(KUSTOMIZATION_FILE), toYaml(overlayKustomization(c, { hasSizePatch })));
  if (c.kind === 'helm') {
    writeIfMissing(tree, file(VALUES_FILE), valuesText(c, env, content.values));
    writeIfMissing(
      tree,
      file(VERSION_PATCH_FILE),
      toYaml(versionPatch(c, content.version!), `Chart version of ${c.name} in ${env.name}: the one place of it.`),
    );
  } else if (hasSizePatch) {
    writeIfMissing(tree, file(SIZE_PATCH_FILE), sizePatchText(c, env, content.sizePatches!));
  }
}

/** The chart version an environment's overlay pins, if any. */
export function readOverlayVersion(tree: Tree, c: ComponentSpec, env: string): string | undefined {
  if (!c.chart) return undefined;
  const path = overlayFile(c.layer.name, c.name, env, VERSION_PATCH_FILE);
  const text = readText(tree, path);
  if (text === null) return undefined;
  let node: unknown = readYaml(path, text);
  for (const key of versionPath(c.chart)) node = (node as Record<string, unknown> | undefined)?.[key];
  return node === undefined || node === null ? undefined : String(node);
}

/** Sets the chart version of an existing overlay, touching nothing else. */
export function setOverlayVersion(tree: Tree, c: ComponentSpec, env: string, version: string): void {
  const path = overlayFile(c.layer.name, c.name, env, VERSION_PATCH_FILE);
  if (!tree.exists(path)) return;
  editYamlFile(tree, path, (doc) => setIfChanged(doc, versionPath(c.chart!), version));
}

/** Copies values and size patches of another environment's overlay, as text (comments included). */
export function overlayTexts(tree: Tree, c: ComponentSpec, env: string): { values?: string; sizePatches?: string } {
  return {
    values: readText(tree, overlayFile(c.layer.name, c.name, env, VALUES_FILE)) ?? undefined,
    sizePatches: readText(tree, overlayFile(c.layer.name, c.name, env, SIZE_PATCH_FILE)) ?? undefined,
  };
}

export { overlayDir };

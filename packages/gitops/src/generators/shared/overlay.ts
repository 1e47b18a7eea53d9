/**
 * A component's overlay for one environment (values, chart version, size patches): the sources of
 * truth generators write. The one place that edits a chart version or an image tag in an
 * overlay, for `component`, `release` and `promote` alike.
 */
import { Tree } from '@nx/devkit';
import { Component, versionIn, versionPath, versionPaths } from '../../model/component';
import { EnvironmentSettings } from '../../model/environment-settings';
import { KUSTOMIZATION_FILE, overlayDir, overlayFile, SIZE_PATCH_FILE, VALUES_FILE, VERSION_PATCH_FILE } from '../../model/layout';
import { GitopsInputError, isExactVersion } from '../../model/vocabulary';
import { readYaml, setIfChanged, toYaml } from '../../model/yaml-io';
import { overlayKustomization, versionPatch } from '../../manifests/index';
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

export function overlayExists(tree: Tree, c: Pick<Component, 'layer' | 'name'>, env: string): boolean {
  return tree.isFile(overlayFile(c.layer, c.name, env, KUSTOMIZATION_FILE));
}

function valuesText(c: Component, env: EnvironmentSettings, values: string | Record<string, unknown> | undefined): string {
  if (typeof values === 'string') return values;
  return toYaml(
    values ?? {},
    `Values of ${c.name} in ${env.name} (size ${env.size}), merged over ../../base/values.yaml.\n` +
      `Flux reads them through the ConfigMap ${c.name}-values, Argo CD as a value file.`,
  );
}

function sizePatchText(c: Component, env: EnvironmentSettings, patches: string | unknown[]): string {
  if (typeof patches === 'string') return patches;
  return toYaml(patches, `Size ${env.size} of ${c.name} in ${env.name}: strategic-merge patches of the base objects.`);
}

/** Writes the overlay files that are missing; existing ones keep their hand edits. */
export function writeOverlay(tree: Tree, c: Component, env: EnvironmentSettings, content: OverlayContent): void {
  const file = (name: string) => overlayFile(c.layer, c.name, env.name, name);
  const hasSizePatch = c.kind === 'manifests' && content.sizePatches !== undefined && content.sizePatches.length > 0;
  writeIfMissing(tree, file(KUSTOMIZATION_FILE), toYaml(overlayKustomization(c, { env: env.name, hasSizePatch })));
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

/** The chart version an environment's overlay holds now, read from the tree (an OCIRepository's tag or semver range). */
export function readOverlayVersion(tree: Tree, c: Component, env: string): string | undefined {
  if (!c.chart) return undefined;
  const path = overlayFile(c.layer, c.name, env, VERSION_PATCH_FILE);
  const text = readText(tree, path);
  return text === null ? undefined : versionIn(c.chart, readYaml(path, text));
}

/** Sets the chart version of an existing overlay, touching nothing else (an OCI tag becomes a semver range and back). */
export function setOverlayVersion(tree: Tree, c: Component, env: string, version: string): boolean {
  const path = overlayFile(c.layer, c.name, env, VERSION_PATCH_FILE);
  if (!c.chart) return false;
  const target = versionPath(c.chart, version);
  return editYamlFile(tree, path, (doc) => {
    const others = versionPaths(c.chart!).filter((other) => other.join('.') !== target.join('.') && doc.hasIn(other));
    for (const other of others) doc.deleteIn(other);
    return setIfChanged(doc, target, version) || others.length > 0;
  });
}

/** The value at a dotted key of an overlay's values.yaml, if any. */
export function readOverlayValue(tree: Tree, c: Component, env: string, key: string[]): unknown {
  const path = overlayFile(c.layer, c.name, env, VALUES_FILE);
  const text = readText(tree, path);
  let node: unknown = text === null ? undefined : readYaml(path, text);
  for (const k of key) node = (node as Record<string, unknown> | null | undefined)?.[k];
  return node;
}

/** Sets a value (an image tag) at a dotted key of the overlay's values.yaml, in place; returns whether it changed. */
export function setOverlayValue(tree: Tree, c: Component, env: string, key: string[], value: string): boolean {
  const path = overlayFile(c.layer, c.name, env, VALUES_FILE);
  return editYamlFile(tree, path, (doc) => {
    const empty = doc.contents === null;
    if (empty) doc.contents = doc.createNode({}) as never;
    return setIfChanged(doc, key, value) || empty;
  });
}

export interface NewOverlayVersion {
  /** --chart-version, when given. */
  asked?: string;
  /** The environment whose overlay is copied (environment --from). */
  from?: string;
  /** Every existing environment: any overlay of the component is a source. */
  environments: EnvironmentSettings[];
  /** The catalog's pinned version, when the component is in the catalog. */
  catalog?: string;
}

/**
 * The one rule for the chart version of a new overlay of a helm component: the version asked
 * for; else what the tree already runs (the --from environment, the environment this one
 * promotes from, then any environment with an overlay); else the catalog's. An environment that
 * pins versions takes the first exact one. Refuses a missing version, or a range where the
 * environment pins, naming the component and the fix.
 */
export function versionForNewOverlay(c: Component, env: EnvironmentSettings, o: NewOverlayVersion): string | undefined {
  if (c.kind !== 'helm') return undefined;
  const running = [o.from, env.promotesFrom, ...o.environments.map((e) => e.name)]
    .filter((name): name is string => name !== undefined && name !== env.name)
    .map((name) => c.overlays.get(name)?.version);
  const candidates = o.asked !== undefined ? [o.asked] : [...running, o.catalog].filter((v): v is string => v !== undefined);
  const version = env.pinVersions ? (candidates.find(isExactVersion) ?? candidates[0]) : candidates[0];
  if (version === undefined) {
    throw new GitopsInputError(
      `Component '${c.name}' has no chart version in any environment and is not in the catalog, so its overlay in '${env.name}' would have none; give one with 'nx g @mlops/gitops:component ${c.name} --chart-version <version>'.`,
    );
  }
  if (env.pinVersions && !isExactVersion(version)) {
    throw new GitopsInputError(
      `Environment '${env.name}' pins exact chart versions, but '${c.name}' would get the range '${version}'; give an exact version with 'nx g @mlops/gitops:component ${c.name} --chart-version <x.y.z>'.`,
    );
  }
  return version;
}

/** Copies values and size patches of another environment's overlay, as text (comments included). */
export function overlayTexts(tree: Tree, c: Component, env: string): { values?: string; sizePatches?: string } {
  return {
    values: readText(tree, overlayFile(c.layer, c.name, env, VALUES_FILE)) ?? undefined,
    sizePatches: readText(tree, overlayFile(c.layer, c.name, env, SIZE_PATCH_FILE)) ?? undefined,
  };
}

export { overlayDir };

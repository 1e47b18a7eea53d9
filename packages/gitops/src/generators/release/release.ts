/**
 * `nx g @mlops/gitops:release <component> --environment=<env> --chartVersion=… --imageTag=…`:
 * the non-interactive step of a CI release (seed 001). It edits the one place of each fact, in
 * place: the chart version in the overlay's version patch (and the Argo CD Application's
 * targetRevision derived from it), the image tag in the overlay's values.yaml.
 *
 * `nx g @mlops/gitops:release --environment=production --tag=v1.4.0` moves a manually synced
 * environment's release gate to an existing Git tag: a release with a newer tag, a rollback with
 * an older one (environment.yaml `release`; the engines' entries follow in reconcile).
 */
import { logger, Tree } from '@nx/devkit';
import { formatChangedFiles } from '../shared/format';
import { catalogFor, imageKeys, loadBlueprint } from '../../model/catalog';
import { Component } from '../../model/component';
import { EnvironmentSettings } from '../../model/environment-settings';
import { overlayFile, VALUES_FILE, VERSION_PATCH_FILE } from '../../model/layout';
import { assertDnsLabel, assertReleaseTag, GitopsInputError, isExactVersion } from '../../model/vocabulary';
import { readOverlayVersion, setOverlayValue, setOverlayVersion } from '../shared/overlay';
import { reconcileTree } from '../shared/reconcile';
import { setReleaseTag } from '../shared/release-tag';
import { findComponent, findEnvironment, readWorkspace, Workspace } from '../shared/workspace';
import type { ReleaseGeneratorSchema } from './schema';

/** Docker's tag grammar. */
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export interface NormalizedReleaseSchema {
  /** Absent when only the environment's release tag moves. */
  component?: string;
  environment: string;
  /** The Git tag a manually synced environment applies from now on (release or rollback). */
  tag?: string;
  chartVersion?: string;
  imageTag?: string;
  /** --valuesKey, split; undefined: the blueprint's first image key, else image.tag. */
  valuesKey?: string[];
  skipFormat: boolean;
}

interface ReleaseTarget {
  component: Component;
  env: EnvironmentSettings;
  /** The desired state of the tree before this run. */
  since: Workspace;
}

export async function releaseGenerator(tree: Tree, schema: ReleaseGeneratorSchema): Promise<void> {
  const options = normalizeOptions(schema);
  // The tree before the release: reconcile follows what the release changed.
  const before = readWorkspace(tree);
  if (options.component) {
    const target = resolveTarget(tree, options, options.component);
    if (options.chartVersion) setChartVersion(tree, target, options.chartVersion);
    if (options.imageTag) setImageTag(tree, target, options.valuesKey ?? defaultImageKey(tree, target.component), options.imageTag);
  }
  if (options.tag) setReleaseTag(tree, findEnvironment(before, options.environment), options.tag);
  reconcileTree(tree, { since: before });
  if (!options.skipFormat) await formatChangedFiles(tree);
}

export default releaseGenerator;

/** CI passes every input; an empty one means "unchanged". */
function given(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

/** Refuses a tag a release must not set; the same rule for `release` and `promote`. */
export function assertImageTag(imageTag: string): string {
  if (imageTag === 'latest') {
    throw new GitopsInputError(`Image tag 'latest' is refused: it floats, so the tree would not say what runs; give a version such as '1.2.3'.`);
  }
  if (!IMAGE_TAG.test(imageTag)) {
    throw new GitopsInputError(
      `Image tag '${imageTag}' is not a valid tag; use letters, digits, '_', '.' and '-' (at most 128, not starting with '.' or '-').`,
    );
  }
  return imageTag;
}

export function normalizeOptions(schema: ReleaseGeneratorSchema): NormalizedReleaseSchema {
  const chartVersion = given(schema.chartVersion);
  const imageTag = given(schema.imageTag);
  const tag = given(schema.tag);
  const component = given(schema.component);
  if (!component && !tag) {
    throw new GitopsInputError(`Nothing to release: give a component with --chartVersion or --imageTag, or --tag for the environment's release.`);
  }
  if (component && !chartVersion && !imageTag) {
    throw new GitopsInputError(`Nothing to release for '${component}': give --chartVersion, --imageTag or both.`);
  }
  if (!component && (chartVersion || imageTag)) {
    throw new GitopsInputError(`--chartVersion and --imageTag belong to a component; name it (nx g @mlops/gitops:release <component> …).`);
  }
  if (chartVersion && !isExactVersion(chartVersion)) {
    throw new GitopsInputError(`Chart version '${chartVersion}' is not an exact semver version; a release sets one version such as '1.2.3'.`);
  }
  if (imageTag) assertImageTag(imageTag);
  const key = given(schema.valuesKey);
  const valuesKey = key?.split('.');
  if (valuesKey?.some((k) => k === '')) {
    throw new GitopsInputError(`Values key '${schema.valuesKey}' is not a dotted path such as 'image.tag'.`);
  }
  return {
    component: component === undefined ? undefined : assertDnsLabel('Component', component),
    environment: assertDnsLabel('Environment', schema.environment),
    tag: tag === undefined ? undefined : assertReleaseTag(tag),
    chartVersion,
    imageTag,
    valuesKey,
    skipFormat: schema.skipFormat ?? false,
  };
}

function resolveTarget(tree: Tree, options: NormalizedReleaseSchema, name: string): ReleaseTarget {
  const ws = readWorkspace(tree);
  const component = findComponent(ws, name);
  const env = findEnvironment(ws, options.environment);
  refuseWhatTheOverlayLacks(tree, component, env, options);
  return { component, env, since: ws };
}

function refuseWhatTheOverlayLacks(tree: Tree, c: Component, env: EnvironmentSettings, options: NormalizedReleaseSchema): void {
  if (c.kind !== 'helm' || !c.chart) {
    throw new GitopsInputError(`Component '${c.name}' is a plain-manifest component: it has no chart version or chart values to release.`);
  }
  for (const [wanted, file] of [
    [options.chartVersion, VERSION_PATCH_FILE],
    [options.imageTag, VALUES_FILE],
  ] as const) {
    const path = overlayFile(c.layer, c.name, env.name, file);
    if (wanted && !tree.exists(path)) {
      throw new GitopsInputError(
        `${path} does not exist: '${c.name}' is not set up for '${env.name}'; run 'nx g @mlops/gitops:environment ${env.name}' first.`,
      );
    }
  }
}

/** The values key of the image tag: the blueprint's first `images` entry, else image.tag. */
function defaultImageKey(tree: Tree, c: Component): string[] {
  const blueprint = loadBlueprint(catalogFor(tree), c.name);
  return (blueprint ? imageKeys(blueprint)[0] : undefined) ?? ['image', 'tag'];
}

function setChartVersion(tree: Tree, { component: c, env }: ReleaseTarget, version: string): void {
  const before = readOverlayVersion(tree, c, env.name);
  setOverlayVersion(tree, c, env.name, version);
  logger.info(`${c.name} in ${env.name}: chart version ${before ?? '(unset)'} -> ${version}`);
}

function setImageTag(tree: Tree, { component: c, env }: ReleaseTarget, key: string[], tag: string): void {
  const changed = setOverlayValue(tree, c, env.name, key, tag);
  const path = overlayFile(c.layer, c.name, env.name, VALUES_FILE);
  logger.info(`${c.name} in ${env.name}: ${key.join('.')} ${changed ? `set to ${tag}` : `already ${tag}`} (${path})`);
}

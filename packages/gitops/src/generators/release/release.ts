/**
 * `nx g @mlops/gitops:release <component> --environment=<env> --chartVersion=… --imageTag=…`:
 * the non-interactive step of a CI release (seed 001). It edits the one place of each fact, in
 * place: the chart version in the overlay's version patch (and the Argo CD Application's
 * targetRevision derived from it), the image tag in the overlay's values.yaml.
 */
import { formatFiles, logger, Tree } from '@nx/devkit';
import { overlayFile, VALUES_FILE, VERSION_PATCH_FILE } from '../../model/layout';
import { EnvironmentSettings } from '../../model/environment-settings';
import { assertDnsLabel, GitopsInputError, isExactVersion } from '../../model/vocabulary';
import { setIfChanged } from '../../model/yaml-io';
import { ComponentSpec } from '../../manifests';
import { editYamlFile } from '../shared/files';
import { listForMessage } from '../shared/options';
import { readOverlayVersion, setOverlayVersion } from '../shared/overlay';
import { setApplicationVersion, usesArgo } from '../shared/wiring';
import { environmentNames, locateComponents, readComponent, readEnvironments, readPlatform } from '../shared/workspace';
import type { ReleaseGeneratorSchema } from './schema';

/** Docker's tag grammar. */
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export interface NormalizedReleaseSchema {
  component: string;
  environment: string;
  chartVersion?: string;
  imageTag?: string;
  valuesKey: string[];
  skipFormat: boolean;
}

interface ReleaseTarget {
  component: ComponentSpec;
  env: EnvironmentSettings;
}

export async function releaseGenerator(tree: Tree, schema: ReleaseGeneratorSchema): Promise<void> {
  const options = normalizeOptions(schema);
  const target = resolveTarget(tree, options);
  if (options.chartVersion) setChartVersion(tree, target, options.chartVersion);
  if (options.imageTag) setImageTag(tree, target, options.valuesKey, options.imageTag);
  if (!options.skipFormat) await formatFiles(tree);
}

export default releaseGenerator;

/** CI passes every input; an empty one means "unchanged". */
function given(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

export function normalizeOptions(schema: ReleaseGeneratorSchema): NormalizedReleaseSchema {
  const chartVersion = given(schema.chartVersion);
  const imageTag = given(schema.imageTag);
  if (!chartVersion && !imageTag) {
    throw new GitopsInputError(`Nothing to release for '${schema.component}': give --chartVersion, --imageTag or both.`);
  }
  if (chartVersion && !isExactVersion(chartVersion)) {
    throw new GitopsInputError(`Chart version '${chartVersion}' is not an exact semver version; a release sets one version such as '1.2.3'.`);
  }
  if (imageTag === 'latest') {
    throw new GitopsInputError(`Image tag 'latest' is refused: it floats, so the tree would not say what runs; give a version such as '1.2.3'.`);
  }
  if (imageTag && !IMAGE_TAG.test(imageTag)) {
    throw new GitopsInputError(`Image tag '${imageTag}' is not a valid tag; use letters, digits, '_', '.' and '-' (at most 128, not starting with '.' or '-').`);
  }
  const valuesKey = (given(schema.valuesKey) ?? 'image.tag').split('.');
  if (valuesKey.some((k) => k === '')) {
    throw new GitopsInputError(`Values key '${schema.valuesKey}' is not a dotted path such as 'image.tag'.`);
  }
  return {
    component: assertDnsLabel('Component', schema.component),
    environment: assertDnsLabel('Environment', schema.environment),
    chartVersion,
    imageTag,
    valuesKey,
    skipFormat: schema.skipFormat ?? false,
  };
}

function resolveTarget(tree: Tree, options: NormalizedReleaseSchema): ReleaseTarget {
  const platform = readPlatform(tree);
  const located = locateComponents(tree);
  const layer = located.get(options.component);
  if (!layer) {
    throw new GitopsInputError(`Component '${options.component}' does not exist; existing components: ${listForMessage([...located.keys()].sort())}.`);
  }
  const envs = readEnvironments(tree);
  const env = envs.find((e) => e.name === options.environment);
  if (!env) {
    throw new GitopsInputError(`Environment '${options.environment}' does not exist; existing environments: ${environmentNames(envs)}.`);
  }
  const { spec } = readComponent(tree, platform, layer, options.component);
  refuseWhatTheOverlayLacks(tree, spec, env, options);
  return { component: spec, env };
}

function refuseWhatTheOverlayLacks(tree: Tree, c: ComponentSpec, env: EnvironmentSettings, options: NormalizedReleaseSchema): void {
  if (c.kind !== 'helm' || !c.chart) {
    throw new GitopsInputError(`Component '${c.name}' is a plain-manifest component: it has no chart version or chart values to release.`);
  }
  for (const [wanted, file] of [
    [options.chartVersion, VERSION_PATCH_FILE],
    [options.imageTag, VALUES_FILE],
  ] as const) {
    const path = overlayFile(c.layer.name, c.name, env.name, file);
    if (wanted && !tree.exists(path)) {
      throw new GitopsInputError(`${path} does not exist: '${c.name}' is not set up for '${env.name}'; run 'nx g @mlops/gitops:environment ${env.name}' first.`);
    }
  }
}

function setChartVersion(tree: Tree, { component: c, env }: ReleaseTarget, version: string): void {
  const before = readOverlayVersion(tree, c, env.name);
  setOverlayVersion(tree, c, env.name, version);
  if (usesArgo(env)) setApplicationVersion(tree, c, env.name, version);
  logger.info(`${c.name} in ${env.name}: chart version ${before ?? '(unset)'} -> ${version}`);
}

function setImageTag(tree: Tree, { component: c, env }: ReleaseTarget, key: string[], tag: string): void {
  const path = overlayFile(c.layer.name, c.name, env.name, VALUES_FILE);
  const changed = editYamlFile(tree, path, (doc) => {
    if (doc.contents === null) doc.contents = doc.createNode({}) as never;
    setIfChanged(doc, key, tag);
  });
  logger.info(`${c.name} in ${env.name}: ${key.join('.')} ${changed ? `set to ${tag}` : `already ${tag}`} (${path})`);
}

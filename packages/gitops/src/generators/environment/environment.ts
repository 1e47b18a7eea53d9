/**
 * `nx g @mlops/gitops:environment <name>`: normalize (settings from --from or
 * the defaults), refuse what is wrong, write the settings and entry point,
 * add an overlay of every component and wire it, format.
 */
import { formatFiles, Tree } from '@nx/devkit';
import { catalogFor, loadBlueprint, sizeProfile } from '../../model/catalog';
import {
  defaultSettings,
  EnvironmentSettings,
  environmentSettingsYaml,
  withSync,
} from '../../model/environment-settings';
import { environmentFile, platformFile } from '../../model/layout';
import { DEFAULT_LAYERS, parsePlatform, Platform, PLACEHOLDER_REPOSITORY, platformYaml } from '../../model/platform';
import { assertDnsLabel, ENGINES, GitopsInputError, oneOf, SIZES, SYNC_MODES } from '../../model/vocabulary';
import { overlayExists, OverlayContent, overlayTexts, versionForNewOverlay, writeOverlay } from '../shared/overlay';
import { usesArgo, usesFlux, wireComponent, writeArgoEntryPoint, writeFluxEntryPoint } from '../shared/wiring';
import { environmentNames, ExistingComponent, locateComponents, readComponent, readEnvironments, readText } from '../shared/workspace';
import { EnvironmentGeneratorSchema } from './schema';

interface PlannedComponent {
  component: ExistingComponent;
  overlay: OverlayContent;
}

export interface NormalizedEnvironmentOptions {
  settings: EnvironmentSettings;
  platform: Platform;
  /** Platform file text to write when the tree has none. */
  newPlatformFile?: string;
  components: PlannedComponent[];
}

export async function environmentGenerator(tree: Tree, schema: EnvironmentGeneratorSchema): Promise<void> {
  // normalizeOptions refuses what is wrong (a missing or floating version in a pinned environment)
  // while it plans each overlay, before anything is written.
  const options = normalizeOptions(tree, schema);
  writeEnvironment(tree, options);
  for (const planned of options.components) writeComponent(tree, options, planned);
  if (!schema.skipFormat) await formatFiles(tree);
}

export default environmentGenerator;

function loadPlatform(tree: Tree): { platform: Platform; newPlatformFile?: string } {
  const text = readText(tree, platformFile());
  if (text !== null) return { platform: parsePlatform(platformFile(), text) };
  const platform: Platform = { repository: PLACEHOLDER_REPOSITORY, defaultEngine: 'flux', layers: [...DEFAULT_LAYERS] };
  return { platform, newPlatformFile: platformYaml(platform) };
}

function chooseSettings(schema: EnvironmentGeneratorSchema, platform: Platform, envs: EnvironmentSettings[], name: string): EnvironmentSettings {
  let settings: EnvironmentSettings;
  if (schema.from !== undefined) {
    const from = envs.find((e) => e.name === schema.from);
    if (!from) {
      throw new GitopsInputError(`--from '${schema.from}' is not an environment; existing environments: ${environmentNames(envs)}.`);
    }
    settings = { ...from, name };
  } else {
    settings = defaultSettings(name, platform.defaultEngine);
  }
  if (schema.sync !== undefined) settings = withSync(settings, oneOf('Sync mode', schema.sync, SYNC_MODES));
  if (schema.engine !== undefined) settings = { ...settings, engine: oneOf('Engine', schema.engine, ENGINES) };
  if (schema.size !== undefined) settings = { ...settings, size: oneOf('Size', schema.size, SIZES) };
  return settings;
}

export function normalizeOptions(tree: Tree, schema: EnvironmentGeneratorSchema): NormalizedEnvironmentOptions {
  const name = assertDnsLabel('Environment name', schema.name);
  const envs = readEnvironments(tree);
  if (envs.some((e) => e.name === name) || tree.exists(environmentFile(name))) {
    throw new GitopsInputError(`Environment '${name}' already exists; existing environments: ${environmentNames(envs)}.`);
  }
  const { platform, newPlatformFile } = loadPlatform(tree);
  const settings = chooseSettings(schema, platform, envs, name);
  const catalog = catalogFor(tree);
  const components = [...locateComponents(tree)].map(([component, layer]) => {
    const existing = readComponent(tree, platform, layer, component);
    return { component: existing, overlay: planOverlay(tree, { component: existing, settings, environments: envs, from: schema.from, catalog }) };
  });
  return { settings, platform, newPlatformFile, components };
}

interface OverlayPlan {
  component: ExistingComponent;
  /** Settings of the new environment. */
  settings: EnvironmentSettings;
  /** The environments that exist already. */
  environments: EnvironmentSettings[];
  /** --from: the environment whose overlays are copied. */
  from?: string;
  catalog: ReturnType<typeof catalogFor>;
}

/** Values and version of one component in the new environment: copied from --from, else from the catalog. */
function planOverlay(tree: Tree, { component: { spec }, settings, environments, from, catalog }: OverlayPlan): OverlayContent {
  const blueprint = loadBlueprint(catalog, spec.name);
  const version = versionForNewOverlay(tree, spec, settings, { from, environments, catalog: blueprint?.chart?.version });
  if (from !== undefined && overlayExists(tree, spec, from)) return { ...overlayTexts(tree, spec, from), version };
  const profile = blueprint ? sizeProfile(blueprint, settings.size) : undefined;
  return spec.kind === 'helm'
    ? { values: (profile as Record<string, unknown> | undefined) ?? {}, version }
    : { sizePatches: (profile as unknown[] | undefined) ?? [] };
}

function writeEnvironment(tree: Tree, { settings, platform, newPlatformFile }: NormalizedEnvironmentOptions): void {
  if (newPlatformFile) tree.write(platformFile(), newPlatformFile);
  tree.write(environmentFile(settings.name), environmentSettingsYaml(settings));
  if (usesFlux(settings)) writeFluxEntryPoint(tree, settings.name);
  if (usesArgo(settings)) writeArgoEntryPoint(tree, settings, platform.repository);
}

function writeComponent(tree: Tree, { settings, platform }: NormalizedEnvironmentOptions, { component, overlay }: PlannedComponent): void {
  writeOverlay(tree, component.spec, settings, overlay);
  wireComponent(tree, { component: component.spec, env: settings, git: platform.repository, version: overlay.version });
}

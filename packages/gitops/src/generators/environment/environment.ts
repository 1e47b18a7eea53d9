/**
 * `nx g @mlops/gitops:environment <name>`: normalize (settings from --from or the defaults),
 * refuse what is wrong, write the sources of truth (environment.yaml, an overlay of every
 * component), reconcile the derived files (the engines' entry points and entries), format.
 */
import { Tree } from '@nx/devkit';
import { formatChangedFiles } from '../shared/format';
import { catalogFor, loadBlueprint, sizeProfile } from '../../model/catalog';
import { Component } from '../../model/component';
import { defaultSettings, EnvironmentSettings, environmentSettingsYaml, withSync } from '../../model/environment-settings';
import { environmentFile, platformFile } from '../../model/layout';
import { DEFAULT_LAYERS, DEFAULT_SECRETS, Platform, PLACEHOLDER_REPOSITORY, platformYaml } from '../../model/platform';
import { assertDnsLabel, GitopsInputError, oneOf, parseEngines, SIZES, SYNC_MODES } from '../../model/vocabulary';
import { parseList } from '../shared/options';
import { OverlayContent, overlayTexts, versionForNewOverlay, writeOverlay } from '../shared/overlay';
import { reconcileTree } from '../shared/reconcile';
import { environmentNames, readWorkspace, Workspace } from '../shared/workspace';
import { EnvironmentGeneratorSchema } from './schema';

interface PlannedComponent {
  component: Component;
  overlay: OverlayContent;
}

export interface NormalizedEnvironmentOptions {
  settings: EnvironmentSettings;
  /** Platform file text to write when the tree has none. */
  newPlatformFile?: string;
  components: PlannedComponent[];
  /** The desired state of the tree before this run (none for a new tree). */
  since?: Workspace;
}

export async function environmentGenerator(tree: Tree, schema: EnvironmentGeneratorSchema): Promise<void> {
  // normalizeOptions refuses what is wrong (a missing or floating version in a pinned environment)
  // while it plans each overlay, before anything is written.
  const options = normalizeOptions(tree, schema);
  writeEnvironment(tree, options);
  for (const { component, overlay } of options.components) writeOverlay(tree, component, options.settings, overlay);
  reconcileTree(tree, { since: options.since });
  if (!schema.skipFormat) await formatChangedFiles(tree);
}

export default environmentGenerator;

/** The tree as it is; a tree without platform.yaml starts with the default layers (the environment writes the file). */
function loadWorkspace(tree: Tree): {
  workspace?: Workspace;
  platform: Platform;
  newPlatformFile?: string;
} {
  if (tree.exists(platformFile())) {
    const workspace = readWorkspace(tree);
    return { workspace, platform: workspace.platform };
  }
  const platform: Platform = {
    repository: PLACEHOLDER_REPOSITORY,
    defaultEngines: ['flux'],
    secrets: DEFAULT_SECRETS,
    layers: [...DEFAULT_LAYERS],
  };
  return { platform, newPlatformFile: platformYaml(platform) };
}

function chooseSettings(schema: EnvironmentGeneratorSchema, platform: Platform, envs: EnvironmentSettings[], name: string): EnvironmentSettings {
  let settings: EnvironmentSettings;
  if (schema.from !== undefined) {
    const from = envs.find((e) => e.name === schema.from);
    if (!from) {
      throw new GitopsInputError(`--from '${schema.from}' is not an environment; existing environments: ${environmentNames(envs)}.`);
    }
    // The copy promotes from the environment it was copied from.
    settings = { ...from, name, promotesFrom: from.name };
  } else {
    settings = defaultSettings(name, platform.defaultEngines);
  }
  if (schema.sync !== undefined) settings = withSync(settings, oneOf('Sync mode', schema.sync, SYNC_MODES));
  const engines = parseList(schema.engines);
  if (engines !== undefined) settings = { ...settings, engines: parseEngines('Engine', engines) };
  if (schema.size !== undefined) settings = { ...settings, size: oneOf('Size', schema.size, SIZES) };
  return settings;
}

export function normalizeOptions(tree: Tree, schema: EnvironmentGeneratorSchema): NormalizedEnvironmentOptions {
  const name = assertDnsLabel('Environment name', schema.name);
  const { workspace, platform, newPlatformFile } = loadWorkspace(tree);
  const envs = workspace?.environments ?? [];
  if (envs.some((e) => e.name === name) || tree.exists(environmentFile(name))) {
    throw new GitopsInputError(`Environment '${name}' already exists; existing environments: ${environmentNames(envs)}.`);
  }
  const settings = chooseSettings(schema, platform, envs, name);
  const catalog = catalogFor(tree);
  const components = [...(workspace?.model.components.values() ?? [])].map((component) => ({
    component,
    overlay: planOverlay(tree, {
      component,
      settings,
      environments: envs,
      from: schema.from,
      catalog,
    }),
  }));
  return { settings, newPlatformFile, components, since: workspace };
}

interface OverlayPlan {
  component: Component;
  /** Settings of the new environment. */
  settings: EnvironmentSettings;
  /** The environments that exist already. */
  environments: EnvironmentSettings[];
  /** --from: the environment whose overlays are copied. */
  from?: string;
  catalog: ReturnType<typeof catalogFor>;
}

/** Values and version of one component in the new environment: copied from --from, else from the catalog. */
function planOverlay(tree: Tree, { component: spec, settings, environments, from, catalog }: OverlayPlan): OverlayContent {
  const blueprint = loadBlueprint(catalog, spec.name);
  const version = versionForNewOverlay(spec, settings, {
    from,
    environments,
    catalog: blueprint?.chart?.version,
  });
  if (from !== undefined && spec.overlays.has(from)) return { ...overlayTexts(tree, spec, from), version };
  const profile = blueprint ? sizeProfile(blueprint, settings.size) : undefined;
  return spec.kind === 'helm'
    ? {
        values: (profile as Record<string, unknown> | undefined) ?? {},
        version,
      }
    : { sizePatches: (profile as unknown[] | undefined) ?? [] };
}

function writeEnvironment(tree: Tree, { settings, newPlatformFile }: NormalizedEnvironmentOptions): void {
  if (newPlatformFile) tree.write(platformFile(), newPlatformFile);
  tree.write(environmentFile(settings.name), environmentSettingsYaml(settings));
}

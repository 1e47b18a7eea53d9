/**
 * `nx g @mlops/gitops:component <name>`: normalize the options (catalog, tree, command line),
 * refuse what is wrong, write the sources of truth (component.yaml, the base, an overlay per
 * chosen environment), reconcile the derived files (every engine's entries), format.
 *
 * Re-running is safe: files that exist are only edited where the input asks for a change (a new
 * --chart-version, new --depends-on), in place, keeping comments and hand edits.
 */
import { formatFiles, generateFiles, Tree } from '@nx/devkit';
import { join } from 'node:path';
import { sizeProfile } from '../../model/catalog';
import { EnvironmentSettings } from '../../model/environment-settings';
import { componentBase, componentBaseFile, HELMRELEASE_FILE, KUSTOMIZATION_FILE, MANIFESTS_FILE, SOURCE_FILE, VALUES_FILE } from '../../model/layout';
import { setIfChanged, toYaml } from '../../model/yaml-io';
import { baseKustomization, chartSource, helmRelease } from '../../manifests/index';
import { editYamlFile, writeIfMissing } from '../shared/files';
import { setOverlayVersion, versionForNewOverlay, writeOverlay } from '../shared/overlay';
import { reconcileTree } from '../shared/reconcile';
import { componentYaml } from '../shared/workspace';
import { newOverlaySources, normalizeOptions, NormalizedComponentOptions } from './normalize';
import { refuseInvalid } from './refuse';
import { ComponentGeneratorSchema } from './schema';

export async function componentGenerator(tree: Tree, schema: ComponentGeneratorSchema): Promise<void> {
  const options = normalizeOptions(tree, schema);
  refuseInvalid(options);
  writeComponentFile(tree, options);
  writeBase(tree, options);
  for (const env of options.environments) writeOverlayOf(tree, options, env);
  reconcileTree(tree);
  if (!schema.skipFormat) await formatFiles(tree);
}

export default componentGenerator;

function writeComponentFile(tree: Tree, o: NormalizedComponentOptions): void {
  const c = o.component;
  if (writeIfMissing(tree, c.file, componentYaml(c))) return;
  if (o.dependsOnGiven)
    editYamlFile(tree, c.file, (doc) =>
      setIfChanged(
        doc,
        ['dependsOn'],
        c.dependsOn.map((d) => d.name),
      ),
    );
}

function writeBase(tree: Tree, o: NormalizedComponentOptions): void {
  const c = o.component;
  const file = (name: string) => componentBaseFile(c.layer, c.name, name);
  writeIfMissing(tree, file(KUSTOMIZATION_FILE), toYaml(baseKustomization(c)));
  if (c.kind === 'manifests') {
    writeBaseManifests(tree, o);
    return;
  }
  writeIfMissing(tree, file(SOURCE_FILE), toYaml(chartSource(c.name, c.chart!), `Chart source of ${c.name}.`));
  writeIfMissing(
    tree,
    file(HELMRELEASE_FILE),
    toYaml(helmRelease(c), `HelmRelease of ${c.name}; each overlay sets its chart version (version.yaml) and values.`),
  );
  writeIfMissing(
    tree,
    file(VALUES_FILE),
    toYaml(
      o.blueprint?.values ?? {},
      `Default values of chart ${c.chart!.name} for ${c.name}, in every environment.\n` +
        `Flux reads them through the ConfigMap ${c.name}-values, Argo CD as a value file.`,
    ),
  );
}

function writeBaseManifests(tree: Tree, o: NormalizedComponentOptions): void {
  const c = o.component;
  const path = componentBaseFile(c.layer, c.name, MANIFESTS_FILE);
  if (tree.exists(path)) return;
  if (o.blueprint?.manifests) {
    tree.write(path, toYaml(o.blueprint.manifests, `Base objects of ${c.name}, namespace-free; overlays patch them per environment.`));
    return;
  }
  generateFiles(tree, join(__dirname, 'files'), componentBase(c.layer, c.name), { name: c.name, layer: c.layer, namespace: c.namespace });
}

function sizeContent(o: NormalizedComponentOptions, env: EnvironmentSettings) {
  const profile = o.blueprint ? sizeProfile(o.blueprint, env.size) : undefined;
  return o.component.kind === 'helm'
    ? { values: (profile as Record<string, unknown> | undefined) ?? {} }
    : { sizePatches: (profile as unknown[] | undefined) ?? [] };
}

/** A new overlay, or a new chart version in an existing one; the engines' files follow in reconcile. */
function writeOverlayOf(tree: Tree, o: NormalizedComponentOptions, env: EnvironmentSettings): void {
  const c = o.component;
  if (!c.overlays.has(env.name)) {
    writeOverlay(tree, c, env, {
      ...sizeContent(o, env),
      version: versionForNewOverlay(c, env, newOverlaySources(o)),
    });
  } else if (o.versionGiven && c.kind === 'helm') {
    setOverlayVersion(tree, c, env.name, o.version!);
  }
}

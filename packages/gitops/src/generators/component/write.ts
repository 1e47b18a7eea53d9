/**
 * Writes a component from normalized options: refuse what is wrong, then the sources of truth
 * (component.yaml, the base, an overlay per chosen environment). The component generator and
 * import both create components through here, so both get the same files and the same refusals.
 *
 * Files that exist are only edited where the options ask for a change (a new chart version, new
 * dependsOn), in place, keeping comments and hand edits.
 */
import { generateFiles, Tree } from '@nx/devkit';
import { join } from 'node:path';
import { sizeProfile } from '../../model/catalog';
import { EnvironmentSettings } from '../../model/environment-settings';
import { componentBase, componentBaseFile, HELMRELEASE_FILE, KUSTOMIZATION_FILE, MANIFESTS_FILE, SOURCE_FILE, VALUES_FILE } from '../../model/layout';
import { setIfChanged, toYaml } from '../../model/yaml-io';
import { baseKustomization, chartSource, helmRelease } from '../../manifests/index';
import { editYamlFile, writeIfMissing } from '../shared/files';
import { setOverlayVersion, versionForNewOverlay, writeOverlay } from '../shared/overlay';
import { componentYaml } from '../shared/workspace';
import { newOverlaySources, NormalizedComponentOptions } from './normalize';
import { refuseInvalid } from './refuse';

/** Refuses, writes, and records the component in the options' workspace, so the next component written in the same run sees it. */
export function writeComponent(tree: Tree, o: NormalizedComponentOptions): void {
  refuseInvalid(o);
  writeComponentFile(tree, o);
  writeBase(tree, o);
  for (const env of o.environments) writeOverlayOf(tree, o, env);
  o.workspace.model.components.set(o.component.name, o.component);
}

function writeComponentFile(tree: Tree, o: NormalizedComponentOptions): void {
  const c = o.component;
  if (writeIfMissing(tree, c.file, componentYaml(c, { pinReleaseName: o.adopt }))) return;
  if (o.dependsOnGiven)
    editYamlFile(tree, c.file, (doc) =>
      setIfChanged(
        doc,
        ['dependsOn'],
        c.dependsOn.map((d) => d.name),
      ),
    );
}

function baseValuesComment(o: NormalizedComponentOptions): string {
  const c = o.component;
  const read = `Flux reads them through the ConfigMap ${c.name}-values, Argo CD as a value file.`;
  if (o.content?.baseValues)
    return `Values of chart ${c.chart!.name} for ${c.name} in every environment (imported: each overlay holds the values the push deployment used).\n${read}`;
  return `Default values of chart ${c.chart!.name} for ${c.name}, in every environment.\n${read}`;
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
  const adopted = o.adopt
    ? `\nIt takes over the Helm release '${c.releaseName}' in ${c.namespace} (release name and namespaces pinned): an upgrade, not a new install.`
    : '';
  writeIfMissing(
    tree,
    file(HELMRELEASE_FILE),
    toYaml(helmRelease(c, { adopt: o.adopt }), `HelmRelease of ${c.name}; each overlay sets its chart version (version.yaml) and values.${adopted}`),
  );
  writeIfMissing(tree, file(VALUES_FILE), toYaml(o.content?.baseValues ?? o.blueprint?.values ?? {}, baseValuesComment(o)));
}

function writeBaseManifests(tree: Tree, o: NormalizedComponentOptions): void {
  const c = o.component;
  const path = componentBaseFile(c.layer, c.name, MANIFESTS_FILE);
  if (tree.isFile(path)) return;
  const objects = o.content?.manifests ?? o.blueprint?.manifests;
  if (objects) {
    tree.write(path, toYaml(objects, `Base objects of ${c.name}, namespace-free; overlays patch them per environment.`));
    return;
  }
  generateFiles(tree, join(__dirname, 'files'), componentBase(c.layer, c.name), { name: c.name, layer: c.layer, namespace: c.namespace });
}

/** An environment's values (helm) or size patches (manifests): the source's when it gave content, else the blueprint's size profile. */
function overlayContent(o: NormalizedComponentOptions, env: EnvironmentSettings) {
  if (o.content) {
    return o.component.kind === 'helm' ? { values: o.content.overlayValues?.get(env.name) ?? {} } : { sizePatches: [] };
  }
  const profile = o.blueprint ? sizeProfile(o.blueprint, env.size) : undefined;
  return o.component.kind === 'helm'
    ? { values: (profile as Record<string, unknown> | undefined) ?? {} }
    : { sizePatches: (profile as unknown[] | undefined) ?? [] };
}

/** A new overlay, or a new chart version in an existing one; the engines' files follow in reconcile. */
function writeOverlayOf(tree: Tree, o: NormalizedComponentOptions, env: EnvironmentSettings): void {
  const c = o.component;
  if (!c.overlays.has(env.name)) {
    const version = versionForNewOverlay(c, env, newOverlaySources(o));
    writeOverlay(tree, c, env, { ...overlayContent(o, env), version });
    c.overlays.set(env.name, { env: env.name, version });
  } else if (o.versionGiven && c.kind === 'helm') {
    setOverlayVersion(tree, c, env.name, o.version!);
    c.overlays.set(env.name, { env: env.name, version: o.version });
  }
}

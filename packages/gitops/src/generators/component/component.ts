/**
 * `nx g @mlops/gitops:component <name>`: normalize the options (catalog,
 * tree, command line), refuse what is wrong, write the component and wire it
 * into every chosen environment, format.
 *
 * Re-running is safe: files that exist are only edited where the input asks
 * for a change (a new --chart-version, new --depends-on), in place, keeping
 * comments and hand edits.
 */
import { formatFiles, generateFiles, Tree } from '@nx/devkit';
import { join } from 'node:path';
import { sizeProfile } from '../../model/catalog';
import { EnvironmentSettings } from '../../model/environment-settings';
import {
  componentBase,
  componentBaseFile,
  componentFile,
  HELMRELEASE_FILE,
  KUSTOMIZATION_FILE,
  MANIFESTS_FILE,
  SOURCE_FILE,
  VALUES_FILE,
} from '../../model/layout';
import { setIfChanged, toYaml } from '../../model/yaml-io';
import { baseKustomization, chartSource, ComponentSpec, helmRelease } from '../../manifests';
import { editYamlFile, writeIfMissing } from '../shared/files';
import { overlayExists, readOverlayVersion, setOverlayVersion, versionForNewOverlay, writeOverlay } from '../shared/overlay';
import { setApplicationVersion, setFluxDependsOn, wireComponent } from '../shared/wiring';
import { componentYaml } from '../shared/workspace';
import { newOverlaySources, normalizeOptions, NormalizedComponentOptions } from './normalize';
import { refuseInvalid } from './refuse';
import { ComponentGeneratorSchema } from './schema';

export async function componentGenerator(tree: Tree, schema: ComponentGeneratorSchema): Promise<void> {
  const options = normalizeOptions(tree, schema);
  refuseInvalid(tree, options);
  writeComponentFile(tree, options);
  writeBase(tree, options);
  for (const env of options.environments) writeEnvironment(tree, options, env);
  if (!schema.skipFormat) await formatFiles(tree);
}

export default componentGenerator;

function writeComponentFile(tree: Tree, o: NormalizedComponentOptions): void {
  const path = componentFile(o.spec.layer.name, o.spec.name);
  if (writeIfMissing(tree, path, componentYaml(o.spec, o.description))) return;
  if (o.dependsOnGiven) editYamlFile(tree, path, (doc) => setIfChanged(doc, ['dependsOn'], o.spec.dependsOn));
}

function writeBase(tree: Tree, o: NormalizedComponentOptions): void {
  const c = o.spec;
  const file = (name: string) => componentBaseFile(c.layer.name, c.name, name);
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
  const c = o.spec;
  const path = componentBaseFile(c.layer.name, c.name, MANIFESTS_FILE);
  if (tree.exists(path)) return;
  if (o.blueprint?.manifests) {
    tree.write(path, toYaml(o.blueprint.manifests, `Base objects of ${c.name}, namespace-free; overlays patch them per environment.`));
    return;
  }
  generateFiles(tree, join(__dirname, 'files'), componentBase(c.layer.name, c.name), {
    name: c.name,
    layer: c.layer.name,
    namespace: c.namespace,
  });
}

function sizeContent(o: NormalizedComponentOptions, env: EnvironmentSettings) {
  const profile = o.blueprint ? sizeProfile(o.blueprint, env.size) : undefined;
  return o.spec.kind === 'helm'
    ? { values: (profile as Record<string, unknown> | undefined) ?? {} }
    : { sizePatches: (profile as unknown[] | undefined) ?? [] };
}

function writeEnvironment(tree: Tree, o: NormalizedComponentOptions, env: EnvironmentSettings): void {
  const c: ComponentSpec = o.spec;
  if (!overlayExists(tree, c, env.name)) {
    writeOverlay(tree, c, env, { ...sizeContent(o, env), version: versionForNewOverlay(tree, c, env, newOverlaySources(o)) });
  } else if (o.versionGiven && c.kind === 'helm') {
    setOverlayVersion(tree, c, env.name, o.version!);
    setApplicationVersion(tree, c, env.name, o.version!);
  }
  if (o.dependsOnGiven) setFluxDependsOn(tree, c, env.name);
  wireComponent(tree, { component: c, env, git: o.git, version: readOverlayVersion(tree, c, env.name) });
}

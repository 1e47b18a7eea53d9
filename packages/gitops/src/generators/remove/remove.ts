/**
 * `nx g @mlops/gitops:remove <component> [--environments a,b]`: normalize, refuse while a
 * component that stays depends on it, delete the sources of truth (the component's folder, or
 * its overlays in the chosen environments), reconcile (every engine entry of it goes), format,
 * and say what the engines will do in the cluster.
 */
import { logger, Tree } from '@nx/devkit';
import { formatChangedFiles } from '../shared/format';
import { Component, dependencyNames } from '../../model/component';
import { EnvironmentSettings } from '../../model/environment-settings';
import { overlayDir } from '../../model/layout';
import { GitopsInputError } from '../../model/vocabulary';
import { engineModules } from '../../derive/index';
import { deleteFolder } from '../shared/files';
import { parseList } from '../shared/options';
import { reconcileTree } from '../shared/reconcile';
import { findComponent, findEnvironment, readWorkspace, Workspace } from '../shared/workspace';
import { RemoveGeneratorSchema } from './schema';

export interface NormalizedRemoveOptions {
  component: Component;
  /** The environments it leaves (those it is deployed in, of the chosen ones). */
  environments: EnvironmentSettings[];
  /** Without --environments the folder goes as well. */
  whole: boolean;
  workspace: Workspace;
}

export async function removeGenerator(tree: Tree, schema: RemoveGeneratorSchema): Promise<void> {
  const options = normalizeOptions(tree, schema);
  refuseDependents(options);
  if (options.whole) deleteFolder(tree, options.component.dir);
  else for (const env of options.environments) deleteFolder(tree, overlayDir(options.component.layer, options.component.name, env.name));
  reconcileTree(tree, { since: options.workspace });
  if (!schema.skipFormat) await formatChangedFiles(tree);
  for (const line of clusterEffects(options)) logger.info(line);
}

export default removeGenerator;

export function normalizeOptions(tree: Tree, schema: RemoveGeneratorSchema): NormalizedRemoveOptions {
  const workspace = readWorkspace(tree);
  const component = findComponent(workspace, schema.component);
  const requested = parseList(schema.environments);
  const chosen = requested?.length ? requested.map((name) => findEnvironment(workspace, name)) : workspace.environments;
  if (requested?.length) {
    const absent = chosen.filter((e) => !component.overlays.has(e.name)).map((e) => e.name);
    if (absent.length) {
      const where = [...component.overlays.keys()].sort().join(', ') || '(none)';
      throw new GitopsInputError(`Component '${component.name}' is not deployed in ${absent.join(', ')}; it is deployed in: ${where}.`);
    }
  }
  return {
    component,
    environments: chosen.filter((e) => component.overlays.has(e.name)),
    whole: !requested?.length,
    workspace,
  };
}

/** A component that stays and names this one in dependsOn, where this one leaves. */
function refuseDependents({ component, environments, whole, workspace }: NormalizedRemoveOptions): void {
  const leaving = new Set(environments.map((e) => e.name));
  const blocking = [...workspace.model.components.values()]
    .filter((c) => c.name !== component.name && dependencyNames(c).includes(component.name))
    .map((c) => ({
      name: c.name,
      envs: [...c.overlays.keys()].filter((e) => whole || leaving.has(e)).sort(),
    }))
    .filter((d) => whole || d.envs.length > 0)
    .sort((a, b) => a.name.localeCompare(b.name));
  if (blocking.length === 0) return;
  const list = blocking.map((d) => (d.envs.length ? `${d.name} (${d.envs.join(', ')})` : d.name)).join(', ');
  throw new GitopsInputError(
    `Component '${component.name}' cannot be removed: ${list} depend${blocking.length === 1 ? 's' : ''} on it. Remove ${blocking.length === 1 ? 'it' : 'them'} first, or drop '${component.name}' from ${blocking.length === 1 ? 'its' : 'their'} dependsOn (nx g @mlops/gitops:component <name> --depends-on …).`,
  );
}

/** What each engine does in each environment the component leaves, and what a person runs where it syncs manually. */
export function clusterEffects({ component, environments }: NormalizedRemoveOptions): string[] {
  const lines = [
    `Removed ${component.name} from ${environments.map((e) => e.name).join(', ') || 'no environment (it was deployed nowhere)'}. In the clusters, once merged:`,
  ];
  for (const env of environments) {
    for (const engine of engineModules(env.engines)) lines.push(`  ${engine.onRemove(component, env)}`);
  }
  return lines;
}

/**
 * `nx sync` / `nx sync:check` (the global sync generator registered in nx.json): the reconcile of the derived files, and nothing else. It derives the
 * desired state from the sources of truth and writes what differs, deleting derived files nothing
 * wants; in check mode Nx runs it on a copy and reports the result.
 *
 * It also migrates sources written before engines were lists (`engine: both` → `engines: [flux, argocd]`).
 * What is derived from what: docs/sync.md.
 */
import { Tree } from '@nx/devkit';
import { formatChangedFiles } from '../shared/format';
import type { SyncGeneratorResult } from 'nx/src/utils/sync-generators';
import { describeDrift } from '../../derive/index';
import { isLegacyEngineValue, parseEngines } from '../../model/vocabulary';
import { environmentFile, listEnvironmentDirs, platformFile } from '../../model/layout';
import { readYaml } from '../../model/yaml-io';
import { editYamlFile } from '../shared/files';
import { listForMessage } from '../shared/options';
import { reconcileTree } from '../shared/reconcile';
import { readText } from '../shared/workspace';
import { SyncGeneratorSchema } from './schema';

export async function syncGenerator(tree: Tree, schema: SyncGeneratorSchema = {}): Promise<SyncGeneratorResult> {
  if (!tree.exists(platformFile()) || listEnvironmentDirs(tree).length === 0) return;
  const migrated = migrateEngineLists(tree);
  const { drift } = reconcileTree(tree);
  if (!schema.skipFormat) await formatChangedFiles(tree);
  const lines = [...migrated, ...drift.map((d) => `  ${describeDrift(d)}`)];
  if (lines.length === 0) return;
  const files = [...new Set([...migrated.map((m) => m.trim().split(':')[0]), ...drift.map((d) => d.file)])].sort();
  const noun = files.length === 1 ? 'file of the GitOps tree differs' : 'files of the GitOps tree differ';
  return {
    outOfSyncMessage: `${files.length} derived ${noun} from their sources of truth: ${listForMessage(files, 5)}.`,
    outOfSyncDetails: lines,
  };
}

export default syncGenerator;

/** platform.yaml `defaultEngine` and environment.yaml `engine` (one value, `both` for two) become lists. */
function migrateEngineLists(tree: Tree): string[] {
  const messages: string[] = [];
  const migrate = (path: string, from: string, to: string) => {
    const raw = readYaml<Record<string, unknown> | null>(path, readText(tree, path) ?? '');
    if (!raw || !isLegacyEngineValue(raw[from]) || raw[to] !== undefined) return;
    const engines = parseEngines(`${from} in ${path}`, raw[from]);
    editYamlFile(tree, path, (doc) => {
      doc.set(to, engines);
      doc.delete(from);
    });
    messages.push(`  ${path}: ${from}: ${String(raw[from])} is now ${to}: [${engines.join(', ')}] (engines are a list)`);
  };
  migrate(platformFile(), 'defaultEngine', 'defaultEngines');
  for (const env of listEnvironmentDirs(tree)) migrate(environmentFile(env), 'engine', 'engines');
  return messages;
}

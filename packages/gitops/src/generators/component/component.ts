/**
 * `nx g @mlops/gitops:component <name>`: normalize the options (catalog, tree, command line),
 * refuse what is wrong and write the sources of truth (write.ts: component.yaml, the base, an
 * overlay per chosen environment), reconcile the derived files (every engine's entries), format.
 *
 * Re-running is safe: files that exist are only edited where the input asks for a change (a new
 * --chart-version, new --depends-on), in place, keeping comments and hand edits.
 */
import { Tree } from '@nx/devkit';
import { formatChangedFiles } from '../shared/format';
import { reconcileTree } from '../shared/reconcile';
import { normalizeOptions } from './normalize';
import { ComponentGeneratorSchema } from './schema';
import { writeComponent } from './write';

export async function componentGenerator(tree: Tree, schema: ComponentGeneratorSchema): Promise<void> {
  const options = normalizeOptions(tree, schema);
  writeComponent(tree, options);
  reconcileTree(tree, { since: options.workspace });
  if (!schema.skipFormat) await formatChangedFiles(tree);
}

export default componentGenerator;

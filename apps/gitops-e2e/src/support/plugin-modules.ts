import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { TempWorkspace, WORKSPACE_ROOT } from './workspace';

/**
 * The plugin's own node_modules (it holds yaml 2; the root holds a hoisted
 * yaml 1) must be visible in a temporary copy too, or the copied dist loads
 * the wrong yaml.
 */
export function linkPluginModules(ws: TempWorkspace): void {
  const nested = join(WORKSPACE_ROOT, 'packages/gitops/node_modules');
  const target = join(ws.root, 'packages/gitops/node_modules');
  if (existsSync(nested) && !existsSync(target)) symlinkSync(nested, target, 'dir');
}

/**
 * Whether the tree would come up on a cluster, layout mode: its Secrets are provided
 * (stages/secrets.ts) and its manually synced environments apply only their release (stages/gate.ts).
 * Both read the tree model the way derive reads it (the caller's, read once per run).
 */
import type { TreeModel } from '../../model/tree-model';
import { FileReader } from '../file-reader';
import { Finding } from '../types';
import { readerView } from './7-drift';
import { checkGate } from './gate';
import { checkSecrets } from './secrets';

export function checkDeployability(reader: FileReader, model: TreeModel): Finding[] {
  const view = readerView(reader);
  return [...checkSecrets(view, model), ...checkGate(view, model)];
}

/** What `preview` found: per environment, what changes for each component between two commits. */
import type { Engine, SyncMode } from '../model/vocabulary';
import type { Change, ObjectChange } from './diff';

export type ComponentStatus = 'added' | 'removed' | 'changed' | 'renamed';

export interface Before<T> {
  from?: T;
  to?: T;
}

export interface ValuesChange {
  /** The engines that merge these values (both, when they agree). */
  engines: Engine[];
  /** Per engine, where the values come from at the head (at the base for a removal), in merge order: `flux: ConfigMap …, …`. */
  sources: string[];
  changes: Change[];
  /** Values the preview could not read, and why. */
  unread: string[];
}

export interface ComponentPreview {
  name: string;
  status: ComponentStatus;
  /** The name at the base, for a rename. */
  renamedFrom?: string;
  chart: Before<string>;
  version: Before<string>;
  /** The chart source's URL at the head (at the base for a removal). */
  repository?: string;
  /** The environment it was promoted from: its version there equals the new version here. */
  promotedFrom?: string;
  values: ValuesChange[];
  objects: ObjectChange[];
  /** What each engine will do in the cluster, and what a person must run. */
  notes: string[];
  /** Folders that did not render, with kustomize's message. */
  errors: string[];
}

export interface EnvironmentPreview {
  name: string;
  engines: Engine[];
  sync: SyncMode;
  components: ComponentPreview[];
  /** Objects of the environment itself (namespaces, AppProjects, the root app). */
  objects: ObjectChange[];
}

export interface Preview {
  base: string;
  head: string;
  /** The Nx project previewed alone (a component, or env-<environment> for its own objects). */
  project?: string;
  environments: EnvironmentPreview[];
}

export function hasChanges(p: Preview): boolean {
  return p.environments.some((e) => e.components.length > 0 || e.objects.length > 0);
}

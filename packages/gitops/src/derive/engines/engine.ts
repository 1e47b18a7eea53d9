/**
 * The questions the rest of the plugin asks a GitOps engine. Flux and Argo CD each answer them in
 * one module; a third engine (or another layout, such as Argo CD ApplicationSets) is one more
 * module registered in ./index.ts.
 */
import type { Component } from '../../model/component';
import type { EnvironmentSettings } from '../../model/environment-settings';
import type { Layer, Platform } from '../../model/platform';
import type { Engine, SecretProvider } from '../../model/vocabulary';
import type { DesiredFile } from '../desired';
import type { TreeView } from '../tree-view';

/** What derive knows about one environment when it asks an engine for its files. */
export interface EnvironmentContext {
  view: TreeView;
  platform: Platform;
  env: EnvironmentSettings;
  /** The components deployed here (an overlay for this environment, a layer platform.yaml knows), by name. */
  deployed: Component[];
  layerOf(c: Component): Layer;
  /** The dependencies of `c` that are deployed here, sorted (an engine would wait forever for the others). */
  deployedDependencies(c: Component): string[];
  /** Position in the deploy order: after each deployed dependency (and the Secrets it needs), and not before its layer's order. */
  wave(c: Component): number;
  /** The environment's Secret objects, when its components need any. */
  secrets?: SecretsEntry;
  /** Whether `c` needs Secrets the provider supplies (it then waits for the secrets entry). */
  usesSecrets(c: Component): boolean;
}

/** The one entry (Flux Kustomization, Argo CD Application) that applies an environment's Secret objects. */
export interface SecretsEntry {
  provider: SecretProvider;
  /** The provider's operator, when it is deployed here: the entry waits for it. */
  dependsOn: string[];
  wave: number;
  /** The namespaces the Secrets live in. */
  namespaces: string[];
}

export interface EngineModule {
  name: Engine;
  /** Every file this engine needs in the environment: its entry point and one entry per deployed component. */
  derive(ctx: EnvironmentContext): DesiredFile[];
  /**
   * The files of this engine's folders in the environment that the tool owns, whether or not the
   * engine still deploys the environment: reconcile deletes the ones derive no longer wants.
   */
  ownedFiles(view: TreeView, env: string): string[];
  /** Where the engine's entry for a component in an environment lives. */
  entryFile(env: string, component: string): string;
  /** What a person runs to apply a change where the environment syncs manually. */
  manualGate(component: string, env: EnvironmentSettings): string;
  /** What the engine does in the cluster when the component's entry disappears. */
  onRemove(component: Component, env: EnvironmentSettings): string;
  /** What the engine does when the component is renamed, and what a person must do first (if anything). */
  onRename(from: Component, to: string, env: EnvironmentSettings): string;
}

/** The registered engines. A new engine is one module implementing EngineModule, added here. */
import type { Engine } from '../../model/vocabulary';
import { argoEngine } from './argocd';
import type { EngineModule } from './engine';
import { fluxEngine } from './flux';

export const ENGINE_MODULES: Record<Engine, EngineModule> = {
  flux: fluxEngine,
  argocd: argoEngine,
};

export function engineModules(engines: readonly Engine[]): EngineModule[] {
  return engines.map((e) => ENGINE_MODULES[e]);
}

export type { EngineModule, EnvironmentContext } from './engine';

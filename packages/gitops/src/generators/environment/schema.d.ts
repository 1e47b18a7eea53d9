import type { Engine, Size, SyncMode } from '../../model/vocabulary';

/** Options of `nx g @mlops/gitops:environment`, as the user typed them. */
export interface EnvironmentGeneratorSchema {
  name: string;
  from?: string;
  sync?: SyncMode;
  engine?: Engine;
  size?: Size;
  skipFormat?: boolean;
}

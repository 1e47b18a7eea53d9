import type { Engine, Size, SyncMode } from '../../model/vocabulary';

/** Options of `nx g @mlops/gitops:environment`, as the user typed them. */
export interface EnvironmentGeneratorSchema {
  name: string;
  from?: string;
  sync?: SyncMode;
  /** Array from Nx Console, or a comma-separated string from the command line. */
  engines?: Engine[] | string;
  size?: Size;
  skipFormat?: boolean;
}

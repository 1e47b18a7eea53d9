import type { Engine } from '../../model/vocabulary';
import type { CiProvider } from './init';

export interface InitGeneratorSchema {
  environments?: string[] | string;
  /** Array from Nx Console, or a comma-separated string from the command line. */
  engines?: Engine[] | string;
  repositoryUrl?: string;
  branch?: string;
  ci?: CiProvider;
  skipFormat?: boolean;
}

import type { Engine } from '../../model/vocabulary';
import type { CiProvider } from './init';

export interface InitGeneratorSchema {
  environments?: string[] | string;
  engine?: Engine;
  repositoryUrl?: string;
  branch?: string;
  ci?: CiProvider;
  skipFormat?: boolean;
}

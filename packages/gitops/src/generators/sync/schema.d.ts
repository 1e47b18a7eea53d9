export interface SyncGeneratorSchema {
  /** Environments to re-derive; `nx sync` passes nothing and covers every environment. */
  environments?: string[] | string;
  skipFormat?: boolean;
}

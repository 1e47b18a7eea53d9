export type ReportFormat = 'human' | 'json';

export interface ValidateExecutorSchema {
  format?: ReportFormat;
  gitopsRoot?: string;
  kubectl?: string;
}

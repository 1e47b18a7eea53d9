export type ReportFormat = 'human' | 'json';

export interface ValidateExecutorSchema {
  format?: ReportFormat;
  kubectl?: string;
}

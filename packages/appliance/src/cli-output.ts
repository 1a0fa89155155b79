/** Where a CLI command writes its lines (the process's stdout and stderr, or a test's buffers). */
export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

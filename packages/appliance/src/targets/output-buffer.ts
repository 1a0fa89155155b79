/**
 * Collects a script's stdout and stderr under one shared byte cap. Chunks are kept as bytes and decoded
 * only at the end, so a multi-byte UTF-8 character split across chunks still decodes, and invalid bytes
 * become U+FFFD instead of failing the run (garbage output is the evaluator's problem, not the target's).
 */
export interface OutputBuffer {
  /** Adds a chunk; returns false once stdout+stderr exceed the cap (the chunk is not kept). */
  push(stream: 'stdout' | 'stderr', chunk: Buffer): boolean;
  readonly totalBytes: number;
  text(): { stdout: string; stderr: string };
}

export function createOutputBuffer(maxBytes: number): OutputBuffer {
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  let totalBytes = 0;
  return {
    push(stream, chunk) {
      totalBytes += chunk.length;
      if (totalBytes > maxBytes) return false;
      chunks[stream].push(chunk);
      return true;
    },
    get totalBytes() {
      return totalBytes;
    },
    text() {
      return {
        stdout: Buffer.concat(chunks.stdout).toString('utf8'),
        stderr: Buffer.concat(chunks.stderr).toString('utf8'),
      };
    },
  };
}

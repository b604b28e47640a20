/**
 * An error the user can fix: it prints as one paragraph (no stack trace unless --debug)
 * and carries the process exit code (2 = ft could not run, 1 = a node failed).
 */
export class FtError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 2,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'FtError';
  }

  /** "file:line: message" when the error points at a place. */
  format(): string {
    if (!this.file) return this.message;
    return `${this.file}${this.line ? `:${this.line}` : ''}: ${this.message}`;
  }
}

export function isFtError(e: unknown): e is FtError {
  return e instanceof FtError;
}

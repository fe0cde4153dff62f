// Errors that are the user's to fix: shown as one line, never with a stack trace.
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'UserError';
  }
}

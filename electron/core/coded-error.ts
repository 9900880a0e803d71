import { failure, type TextRef } from '../../shared/text-ref';
import { errorText } from './log';

/**
 * An error whose message stays English (logs, the Python-compatible routes) and which also
 * says what failed as a catalogue text, for the coordinator's language (issue 14.1).
 */
export class CodedError extends Error {
  constructor(
    message: string,
    readonly ref: TextRef,
  ) {
    super(message);
    this.name = 'CodedError';
  }
}

/** The catalogue text of a failure: its own code, else the library's words as a value. */
export function failureOf(err: unknown): TextRef {
  if (err instanceof CodedError) return err.ref;
  return failure('other', { detail: errorText(err) });
}

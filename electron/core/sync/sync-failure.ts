import { failure, type TextRef } from '../../../shared/text-ref';

/** Why a Sync now did not (fully) work: the English text for the API and logs, and its catalogue text. */
export interface SyncFailure {
  text: string;
  code: TextRef;
}

export const syncFailure = (text: string, code: TextRef): SyncFailure => ({ text, code });

/** A backend's `blockedReason()` ('sign-in needed', 'signing in') as a catalogue text. */
export function blockedFailure(reason: string): TextRef {
  if (reason === 'sign-in needed') return failure('signInNeeded');
  if (reason === 'signing in') return failure('signingIn');
  return failure('other', { detail: reason });
}

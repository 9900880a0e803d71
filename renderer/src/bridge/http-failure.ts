import { failure, type TextRef } from '../../../shared/text-ref';

/**
 * What an HTTP status means to the coordinator, when the answer carries no code of its own
 * (the access guard's 401, a proxy's 502 page): said in the page's language (issue 14.1).
 */
export function httpFailure(status: number): TextRef {
  if (status === 401) return failure('unauthorized');
  if (status === 403) return failure('forbidden');
  if (status === 429) return failure('tooMany');
  if (status >= 500) return failure('serverError', { status });
  if (status >= 400) return failure('badRequest', { status });
  return failure('badAnswer');
}

/** A `success:false` body without `errorCode` gets the status's code; anything else is returned as it is. */
export function withStatusCode<T>(body: T, status: number): T {
  if (typeof body !== 'object' || body === null) return body;
  const b = body as { success?: unknown; errorCode?: unknown };
  if (b.success !== false || b.errorCode !== undefined) return body;
  return { ...body, errorCode: httpFailure(status) };
}

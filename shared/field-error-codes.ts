/**
 * Every stable id a settings problem can carry (`FieldError.code`, `params.text` of a custom
 * schema issue): the Settings page says `err.<code>` in the user's language, so each one has
 * an sv and an en text (test/unit/failure-texts.test.ts). Producers are typed with this list.
 */
export const FIELD_ERROR_CODES = [
  'controlChars',
  'redisUrl',
  'redisUrlHost',
  'redisUrlPort',
  'redisUrlDb',
  'redisUrlQuery',
  'redisUrlPercent',
  'retypePassword',
  'noStoredPassword',
  'hostName',
  'timeZone',
  'channelsDistinct',
  'backoffOrder',
  'calendarId',
  'syncTag',
  'envFixed',
  'portInUse',
  'notLocalAddress',
  'portPrivileged',
  'cannotListen',
  // zod's own issues (config.ts genericIssue): the catalogue's texts take {min} / {max}.
  'required',
  'tooLong',
  'min',
  'max',
  'number',
  'choose',
] as const;
export type FieldErrorCode = (typeof FIELD_ERROR_CODES)[number];

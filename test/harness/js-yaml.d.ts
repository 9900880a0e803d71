// js-yaml comes in through electron-builder (transitive dev dependency) without types; only
// `load` is used, by the electron-builder.yml test.
declare module 'js-yaml' {
  export function load(text: string, options?: { filename?: string }): unknown;
}

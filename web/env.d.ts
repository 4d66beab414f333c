/** Module kinds that Vite provides to the page (the root tsconfig checks web/ with Node's resolution). */
declare module '*.md?raw' {
  const text: string;
  export default text;
}

declare module 'virtual:moby-dick' {
  /** The built-in Moby-Dick text, as loadCorpus('moby-dick').text. */
  export const text: string;
  export const source: string;
  export const licence: string;
}

/** The workbook's stubs and solutions, as text (web/src/workbook-files.ts). */
declare module '*.ts?raw' {
  const text: string;
  export default text;
}

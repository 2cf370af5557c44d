/** A template that cannot be loaded or rendered: names the template file, the line and the problem. */
export class TemplateError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly detail: string,
  ) {
    super(`template ${file}${line === undefined ? '' : `, line ${line}`}: ${detail}`);
    this.name = 'TemplateError';
  }
}

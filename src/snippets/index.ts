/** Snippets from files: `--snippet TARGET=FILE` and `snippets:` in answers, read and checked once per run. */
import { InputLimitError, LIMITS, readBoundedFile } from '../io/bounded.js';
import { resolve } from 'node:path';
import { shown } from '../answers/checks.js';
import { parseSnippet, SnippetError, type ParsedSnippet } from './merge.js';

export { ALLOW_OVERRIDES_FLAG, checkTargets, mergeSnippets, parseSnippet, snippetsFor, SnippetError, SNIPPET_GROUPS, type ParsedSnippet, type SnippetErrorCode } from './merge.js';

/** A snippet as answers give it: which configs, and the Butane file (relative to `base`). */
export interface SnippetRef {
  target: string;
  file: string;
}

/** `ROLE|MACHINE=FILE` of `--snippet`. */
export function parseSnippetFlag(value: string): SnippetRef {
  const m = /^([^=]+)=(.+)$/.exec(value);
  if (!m) throw new SnippetError('snippet_invalid', `--snippet: ${JSON.stringify(value)} is not TARGET=FILE, e.g. worker=extra.bu`);
  return { target: m[1]!.trim(), file: m[2]! };
}

/** Reads and checks snippet files; paths relative to `base`. A file is named as given in messages. */
export function loadSnippets(refs: readonly SnippetRef[], base: string, options: { allowOverrides?: boolean } = {}): ParsedSnippet[] {
  return refs.map((ref) => {
    let text: string;
    try {
      text = readBoundedFile(resolve(base, ref.file), LIMITS.snippet, `snippet ${shown(ref.file)}`);
    } catch (e) {
      if (e instanceof InputLimitError) throw new SnippetError('snippet_invalid', e.message);
      throw new SnippetError('snippet_invalid', `snippet ${shown(ref.file)}: cannot read it: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return { ...parseSnippet(text, shown(ref.file), ref.target), path: resolve(base, ref.file), ...(options.allowOverrides ? { allowOverrides: true } : {}) };
  });
}

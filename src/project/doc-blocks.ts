import { readFileSync } from 'node:fs';
import { createHandlebarsEnv } from '../template/handlebars-lib.js';
import { jinjaHint } from '../template/jinja-hint.js';
import { FtError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { discover, type Listings } from './discovery.js';

const BLOCK = /\{\{#docs\s+"([^"]+)"\s*\}\}([\s\S]*?)\{\{\/docs\}\}/g;

/** `{{#docs "name"}} … {{/docs}}` blocks from *.md files, by name. */
export function readDocBlocks(root: string, folders: string[], listings?: Listings): Map<string, string> {
  const docs = new Map<string, string>();
  for (const f of discover(root, [...new Set(folders)], ['.md'], listings)) {
    const text = readFileSync(f.abs, 'utf8');
    for (const m of text.matchAll(BLOCK)) {
      if (docs.has(m[1]!)) {
        const line = text.slice(0, m.index).split('\n').length;
        throw new FtError(`doc block "${m[1]}" is defined twice. Rename one.`, 2, f.rel, line);
      }
      docs.set(m[1]!, m[2]!.trim());
    }
  }
  return docs;
}

/** Renders `{{doc "name"}}` in a description; an undefined block is an error naming the YAML line. */
export function renderDescription(text: string, docs: Map<string, string>, file: string, line: number): string {
  if (!text.includes('{{')) return text;
  const hb = createHandlebarsEnv();
  hb.registerHelper('doc', (name: unknown) => {
    const body = docs.get(String(name));
    if (body === undefined) {
      throw new FtError(`doc block "${String(name)}" is referenced but not defined.${didYouMean(String(name), docs.keys())} Add {{#docs "${String(name)}"}} … {{/docs}} to a .md file under models/.`, 2, file, line);
    }
    return body;
  });
  try {
    return hb.compile(text, { noEscape: true })({});
  } catch (e) {
    if (e instanceof FtError) throw e;
    const jinja = jinjaHint(text);
    throw new FtError(`cannot render this description: ${jinja ? jinja.hint : (e as Error).message.split('\n')[0]}.`, 2, file, line);
  }
}

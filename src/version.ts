import { readFileSync } from 'node:fs';

/** ft's version, from package.json (one source of truth). */
export const FT_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

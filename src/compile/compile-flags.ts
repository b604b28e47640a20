import type { GlobalFlags } from '../global-flags.js';

/**
 * The flags of `ft compile`. Declared in compile/, which cli/compile.ts parses them for and
 * unchanged-compile.ts keys its record by, so neither imports the other's file for the type.
 */
export interface CompileFlags extends GlobalFlags {
  select?: string[];
  exclude?: string[];
  /** --inline: a template to compile and print */
  inline?: string;
  /** --warn-error: MySQL traps in the SQL fail the compile (exit 1) */
  warnError?: boolean;
}

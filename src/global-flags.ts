/**
 * The flags every command accepts. Declared here, below every stage, so that a stage that
 * takes a command's flags (compile/ keys its record by them) reads the type from below
 * instead of importing it back from cli/.
 */
export interface GlobalFlags {
  projectDir?: string;
  profilesDir?: string;
  target?: string;
  vars?: string;
  debug?: boolean;
  logFormat?: string;
  partialParse?: boolean;
  state?: string;
  /** --selector: a selection named in selectors.yml */
  selector?: string;
}

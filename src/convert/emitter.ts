/**
 * Output text built piece by piece, remembering which source line each piece came from, so
 * a finding in the output (a MySQL trap, a Handlebars error) is reported at the source line.
 */
export class Emitter {
  private parts: string[] = [];
  private anchors: { off: number; line: number }[] = [];
  private len = 0;
  private joined: string | undefined;

  constructor(readonly startLine = 1) {}

  emit(text: string, line: number): void {
    if (!text) return;
    this.anchors.push({ off: this.len, line });
    this.parts.push(text);
    this.len += text.length;
    this.joined = undefined;
  }

  /**
   * A block's text without the line break after its opening tag and the blank space before
   * its closing one (`{% macro x() %}\n  …\n{% endmacro %}`): a partial printed inline stays
   * on its line. Lines are kept right: the first piece starts one line later.
   */
  trimBlock(): void {
    const first = this.parts[0];
    const lead = first === undefined ? null : /^[ \t]*\r?\n/.exec(first);
    if (lead && first !== undefined) {
      this.parts[0] = first.slice(lead[0].length);
      this.anchors[0]!.line += 1;
      for (let i = 1; i < this.anchors.length; i++) this.anchors[i]!.off -= lead[0].length;
      this.len -= lead[0].length;
    }
    for (let i = this.parts.length - 1; i >= 0; i--) {
      const trimmed = this.parts[i]!.replace(/\s+$/, '');
      this.len -= this.parts[i]!.length - trimmed.length;
      this.parts[i] = trimmed;
      if (trimmed) break;
    }
    this.joined = undefined;
  }

  get text(): string {
    return (this.joined ??= this.parts.join(''));
  }

  /** The source line of an output offset: its piece's line plus the newlines before it in the piece. */
  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.anchors.length - 1;
    if (hi < 0) return this.startLine;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.anchors[mid]!.off <= offset) lo = mid;
      else hi = mid - 1;
    }
    const a = this.anchors[lo]!;
    const text = this.text;
    let line = a.line;
    for (let i = a.off; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
    return line;
  }

  /** The source line of an output line (1-based). */
  lineOfOutputLine(outLine: number): number {
    const text = this.text;
    let off = 0;
    for (let l = 1; l < outLine; l++) {
      const nl = text.indexOf('\n', off);
      if (nl < 0) break;
      off = nl + 1;
    }
    return this.lineAt(off);
  }
}

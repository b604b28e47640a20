/**
 * A fast reader for the plain YAML that schema files and project.yml are made of: block
 * mappings and sequences, one-line plain, quoted and flow (`[a, b]`, `{k: v}`) scalars,
 * comments. It returns what `parseYaml` returns (values with the line of each mapping,
 * sequence and sequence item) or `null` as soon as it meets anything else — anchors,
 * aliases, `<<` merge keys, tags, multi-line plain scalars, tabs, duplicate keys, odd
 * indentation, a `#` next to a quote, nesting deeper than MAX_YAML_DEPTH — and the full
 * `yaml` library then reads the file (and reports its errors). Whoever needs to know which
 * reader took a file sees `null` here (or `via` in parseYaml's answer).
 *
 * Why: the `yaml` library takes ~0.25 ms per schema entry, the largest cost of loading a
 * project of thousands of models after their templates.
 */

export interface FastYaml {
  value: unknown;
  lines: Map<object, number>;
  itemLines: Map<unknown[], number[]>;
}

interface Line {
  no: number;
  indent: number;
  text: string;
}

/** Mappings and lists inside each other beyond this depth are an error (yaml-file.ts says so, with the line). */
export const MAX_YAML_DEPTH = 256;

class Unsupported extends Error {}
const fail = (): never => {
  throw new Unsupported();
};

/** YAML 1.2 core schema resolution of a plain scalar, as the `yaml` library does it. */
export function resolvePlain(s: string): unknown {
  // A word is a string unless it spells null, true or false (the usual case: names, descriptions).
  const c = s.charCodeAt(0);
  if (((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) && !/^(?:[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s)) return s;
  if (/^(?:~|[Nn]ull|NULL)?$/.test(s)) return null;
  if (/^(?:[Tt]rue|TRUE)$/.test(s)) return true;
  if (/^(?:[Ff]alse|FALSE)$/.test(s)) return false;
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.substring(2), 8);
  if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.substring(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity;
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s)) return parseFloat(s);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)) return parseFloat(s);
  return s;
}

const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0', ' ': ' ' };

export function fastParseYaml(text: string): FastYaml | null {
  if (text.includes('\t') || text.includes('\r') || text.charCodeAt(0) === 0xfeff) return null;
  const lines: Line[] = [];
  const raw = text.split('\n');
  for (let i = 0; i < raw.length; i++) {
    let t = raw[i]!;
    const body = t.trimStart();
    if (body === '' || body[0] === '#') continue;
    const hash = t.indexOf('#');
    if (hash > 0) {
      // a comment after a value; with quotes on the line the `#` might be inside one
      if (/["']/.test(t)) return null;
      const m = /\s#/.exec(t);
      if (m) t = t.slice(0, m.index);
    }
    t = t.trimEnd();
    const indent = t.length - t.trimStart().length;
    const content = t.slice(indent);
    if (/^(?:---|\.\.\.|%|\?|[&*!|>@`])/.test(content)) {
      // may be text inside a block scalar; `block()` fails if it is read as structure
      lines.push({ no: i + 1, indent, text: '\u0000' });
      continue;
    }
    lines.push({ no: i + 1, indent, text: content });
  }
  const out: FastYaml = { value: null, lines: new Map(), itemLines: new Map() };
  let pos = 0;
  /** mappings and lists open around the one being read (the library reports a file too deep) */
  let depth = 0;

  const scalarOrFlow = (s: string, no: number): unknown => {
    const c = s[0];
    if (c === '"' || c === "'") {
      const [v, end] = quoted(s, 0);
      if (end !== s.length) fail();
      return v;
    }
    if (c === '[' || c === '{') {
      const [v, end] = flow(s, 0, no);
      if (s.slice(end).trim() !== '') fail();
      return v;
    }
    if (/^[&*!|>%@`\u0000]|^- |^-$|^\?/.test(s) || /: |:$/.test(s)) fail();
    return resolvePlain(s);
  };

  const quoted = (s: string, at: number): [string, number] => {
    const q = s[at];
    let v = '';
    let i = at + 1;
    for (; i < s.length; i++) {
      const ch = s[i]!;
      if (q === "'") {
        if (ch === "'") {
          if (s[i + 1] === "'") {
            v += "'";
            i++;
            continue;
          }
          return [v, i + 1];
        }
        v += ch;
      } else {
        if (ch === '"') return [v, i + 1];
        if (ch === '\\') {
          const e = s[++i];
          if (e === undefined) fail();
          if (e === 'u' || e === 'x') {
            const n = e === 'u' ? 4 : 2;
            const hex = s.slice(i + 1, i + 1 + n);
            if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) fail();
            v += String.fromCharCode(parseInt(hex, 16));
            i += n;
          } else if (ESCAPES[e!] !== undefined) v += ESCAPES[e!];
          else fail();
          continue;
        }
        v += ch;
      }
    }
    return fail();
  };

  /** A one-line flow collection starting at s[at]; returns the value and the index after it. */
  const flow = (s: string, at: number, no: number): [unknown, number] => {
    if (++depth > MAX_YAML_DEPTH) fail();
    const open = s[at];
    const close = open === '[' ? ']' : '}';
    const arr: unknown[] = [];
    const obj: Record<string, unknown> = {};
    let i = at + 1;
    const skip = (): void => {
      while (s[i] === ' ') i++;
    };
    const item = (): unknown => {
      skip();
      const c = s[i];
      if (c === '"' || c === "'") {
        const [v, end] = quoted(s, i);
        i = end;
        return v;
      }
      if (c === '[' || c === '{') {
        const [v, end] = flow(s, i, no);
        i = end;
        return v;
      }
      const m = /^(?:[^,[\]{}:#"'\s][^,[\]{}:#]*)?/.exec(s.slice(i))![0];
      const plain = m.trim();
      if (!plain || /^[&*!|>%@`?-]/.test(plain)) fail();
      i += m.length;
      return resolvePlain(plain);
    };
    skip();
    if (s[i] === close) {
      i++;
    } else {
      for (;;) {
        if (open === '[') {
          arr.push(item());
          skip();
          if (s[i] === ':') fail();
        } else {
          const k = item();
          skip();
          if (s[i] !== ':') fail();
          i++;
          if (s[i] !== ' ') fail();
          const key = String(k);
          // a plain `<<` is a merge key, which the library applies
          if (key === '<<' || Object.prototype.hasOwnProperty.call(obj, key)) fail();
          obj[key] = item();
          skip();
        }
        if (s[i] === ',') {
          i++;
          skip();
          if (s[i] === close) fail();
          continue;
        }
        if (s[i] === close) {
          i++;
          break;
        }
        fail();
      }
    }
    depth--;
    if (open === '[') {
      out.lines.set(arr, no);
      out.itemLines.set(
        arr,
        arr.map(() => no),
      );
      return [arr, i];
    }
    out.lines.set(obj, no);
    return [obj, i];
  };

  /** `key: rest` → [key, rest], or null when the line is not a mapping entry. */
  const entry = (text: string): [string, string] | null => {
    let m = /^([A-Za-z0-9_+$][\w+\-./$]*):(?: +(.*))?$/.exec(text);
    if (m) return [String(resolvePlain(m[1]!)), m[2] ?? ''];
    if (text[0] === '"' || text[0] === "'") {
      const [k, end] = quoted(text, 0);
      m = /^:(?: +(.*))?$/.exec(text.slice(end));
      if (m) return [k, m[1] ?? ''];
      return null;
    }
    if (/^[^\s"'[{-][^"']*: /.test(text) || /^[^\s"'[{-][^"']*:$/.test(text)) fail();
    return null;
  };

  const isSeqItem = (l: Line | undefined, indent: number): boolean => l !== undefined && l.indent === indent && (l.text === '-' || l.text.startsWith('- '));

  const block = (indent: number): unknown => {
    const l = lines[pos]!;
    if (isSeqItem(l, indent)) return seq(indent);
    if (entry(l.text)) return map(indent, l.text, l.no);
    return fail();
  };

  /** A value given after `key:` (or `-`) on the line `no`, or on the lines below. */
  /** A `|` or `>` block scalar whose header is on raw line `no` (1-based), under `parentIndent`. */
  const blockScalar = (kind: string, chomp: string, no: number, parentIndent: number): string => {
    if (chomp === '+') fail();
    const body: string[] = [];
    let last = no; // raw index (1-based) of the last line that belongs to the scalar
    for (let i = no; i < raw.length; i++) {
      const r = raw[i]!;
      if (r.trim() === '') {
        body.push(r);
        continue;
      }
      if (r.length - r.trimStart().length <= parentIndent) break;
      body.push(r);
      last = i + 1;
    }
    body.length = Math.max(0, last - no); // trailing blank lines are not content
    const first = body.find((r) => r.trim() !== '');
    // skip the structural lines the scalar spans
    while (pos < lines.length && lines[pos]!.no <= last) pos++;
    if (first === undefined) return '';
    const ci = first.length - first.trimStart().length;
    const content = body.map((r) => {
      if (r.trim() === '') {
        if (r.length > ci) fail();
        return '';
      }
      if (r.length - r.trimStart().length < ci) fail();
      return r.slice(ci);
    });
    let text: string;
    if (kind === '|') text = content.join('\n');
    else {
      if (content.some((c) => c.startsWith(' '))) fail(); // more-indented lines fold differently
      text = '';
      let blanks = 0;
      let started = false;
      for (const c of content) {
        if (c === '') {
          blanks++;
          continue;
        }
        if (!started) text += '\n'.repeat(blanks);
        else text += blanks ? '\n'.repeat(blanks) : ' ';
        text += c;
        blanks = 0;
        started = true;
      }
    }
    return chomp === '-' ? text : `${text}\n`;
  };

  const valueAfter = (rest: string, no: number, parentIndent: number, seqAllowedAtSameIndent: boolean): unknown => {
    const header = /^([|>])([-+]?)$/.exec(rest);
    if (header) return blockScalar(header[1]!, header[2]!, no, parentIndent);
    if (rest !== '') {
      const v = scalarOrFlow(rest, no);
      const next = lines[pos];
      if (next && next.indent > parentIndent) fail(); // a multi-line scalar
      return v;
    }
    const next = lines[pos];
    if (next && next.indent > parentIndent) return block(next.indent);
    if (seqAllowedAtSameIndent && isSeqItem(next, parentIndent)) return seq(parentIndent);
    return null;
  };

  const map = (indent: number, firstText: string, firstNo: number): Record<string, unknown> => {
    if (++depth > MAX_YAML_DEPTH) fail();
    const obj: Record<string, unknown> = {};
    out.lines.set(obj, firstNo);
    let text: string | undefined = firstText;
    for (;;) {
      const e = entry(text);
      if (!e) fail();
      const [key, rest] = e!;
      if (Object.prototype.hasOwnProperty.call(obj, key)) fail();
      const no = lines[pos]!.no;
      pos++;
      obj[key] = valueAfter(rest, no, indent, true);
      const next = lines[pos];
      if (!next || next.indent < indent) break;
      if (next.indent > indent || isSeqItem(next, indent)) fail();
      text = next.text;
    }
    depth--;
    return obj;
  };

  const seq = (indent: number): unknown[] => {
    if (++depth > MAX_YAML_DEPTH) fail();
    const arr: unknown[] = [];
    const itemLines: number[] = [];
    out.lines.set(arr, lines[pos]!.no);
    out.itemLines.set(arr, itemLines);
    while (isSeqItem(lines[pos], indent)) {
      const l = lines[pos]!;
      const rest = l.text === '-' ? '' : l.text.slice(2).trimStart();
      if (rest === '') {
        pos++;
        const next = lines[pos];
        if (!next || next.indent <= indent) fail(); // an empty item
        itemLines.push(next!.no);
        arr.push(block(next!.indent));
      } else if (rest.startsWith('- ') || rest === '-') {
        fail();
      } else if (entry(rest)) {
        // `- key: value` and the lines below it, indented like `key`
        const col = indent + (l.text.length - rest.length);
        lines[pos] = { no: l.no, indent: col, text: rest };
        itemLines.push(l.no);
        arr.push(map(col, rest, l.no));
      } else {
        pos++;
        itemLines.push(l.no);
        arr.push(valueAfter(rest, l.no, indent, false));
      }
      const next = lines[pos];
      if (next && next.indent > indent) fail();
    }
    depth--;
    return arr;
  };

  try {
    if (lines.length === 0) return out;
    const first = lines[0]!;
    if (first.indent !== 0) return null;
    if (!isSeqItem(first, 0) && !entry(first.text)) {
      if (lines.length > 1) return null;
      out.value = scalarOrFlow(first.text, first.no);
      return out;
    }
    out.value = block(0);
    if (pos !== lines.length) return null;
    return out;
  } catch (e) {
    // a stack overflow too: the library reads the file and says where it is too deep
    if (e instanceof Unsupported || e instanceof RangeError) return null;
    throw e;
  }
}

/** HTML escaping and a small Markdown renderer for descriptions and the overview (no HTML passes through). */

export function esc(s: unknown): string {
  return String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The named character references a URL may be spelled with (the numeric ones are decoded too). */
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", colon: ':', tab: '\t', newline: '\n', sol: '/', lpar: '(', rpar: ')', nbsp: '\u00a0' };

/** Characters with no place in a link: C0/C1 controls, and the invisible marks (zero-width, bidi, soft hyphen, BOM). */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]/g;
/** White space a browser trims from the ends of a URL (it keeps, percent-encoded, what is inside). */
const EDGE_SPACE = /^[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

function decodeEntities(s: string): string {
  return s.replace(/&(?:(#x[0-9a-f]+|#\d+);?|([a-z]+);)/gi, (m, num: string | undefined, name: string | undefined) => {
    const ref = num ?? name!;
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
    }
    return ENTITIES[ref.toLowerCase()] ?? m;
  });
}

/**
 * A link target the docs may render, or null: http, https, mailto, a fragment (`#/node/…`) or a
 * relative path. The URL is first brought to what a browser reads from it — character
 * references decoded, control characters and invisible marks removed (a browser drops
 * `\x01` before `javascript:`, and tabs and newlines anywhere), white space trimmed — until
 * nothing changes; that form is both the one checked and the one returned, so what is checked
 * is what the browser gets.
 */
export function safeUrl(url: unknown): string | null {
  let u = String(url ?? '');
  for (let i = 0; ; i++) {
    const next = decodeEntities(u).replace(INVISIBLE, '').replace(EDGE_SPACE, '');
    if (next === u) break;
    if (i === 8) return null; // references nested this deep are no link anyone writes
    u = next;
  }
  u = u.replace(/\s/g, (c) => encodeURIComponent(c));
  if (!u) return null;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(u);
  if (scheme) return /^(https?|mailto)$/i.test(scheme[1]!) ? u : null;
  // no scheme: a fragment or a relative path; a colon before any / ? # is refused rather than guessed at
  if (/^[^/?#]*:/.test(u)) return null;
  return u;
}

/** `<a href>` for a URL the docs may link to; plain text (the URL shown, not linked) for any other. */
export function linkHtml(url: unknown, label: string, attrs = ''): string {
  const safe = safeUrl(url);
  return safe === null ? `<span class="unsafe-link" title="not linked: only http, https, mailto and relative links are">${label}</span>` : `<a href="${esc(safe)}"${attrs}>${label}</a>`;
}

function inline(text: string): string {
  // code spans first, so their content is left alone
  const parts = text.split(/(`[^`]+`)/);
  return parts
    .map((p) => {
      if (p.startsWith('`') && p.endsWith('`') && p.length > 1) return `<code>${esc(p.slice(1, -1))}</code>`;
      // links are set aside while emphasis is applied, so no markup is ever made inside an href
      const links: string[] = [];
      let s = esc(p.replace(/[\ue000\ue001]/g, ''));
      s = s.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, label: string, url: string) => {
        links.push(linkHtml(url.replace(/&(amp|lt|gt|quot|#39);/g, (_e, n: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[n]!), label));
        return `\ue000${links.length - 1}\ue001`;
      });
      s = s.replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>').replace(/__([^_]+)__/g, '<strong>$1</strong>');
      s = s.replace(/(^|[^*\w])\*([^*\s][^*]*)\*(?!\w)/g, '$1<em>$2</em>').replace(/(^|[^_\w])_([^_\s][^_]*)_(?!\w)/g, '$1<em>$2</em>');
      return s.replace(/\ue000(\d+)\ue001/g, (_m, i: string) => links[Number(i)] ?? '');
    })
    .join('');
}

function tableRow(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());
}

/** Markdown → HTML: headings, paragraphs, lists, code blocks, quotes, tables, links, emphasis. */
export function markdown(src: string): string {
  const lines = String(src ?? '').replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (/^\s*$/.test(line)) {
      i++;
      continue;
    }
    const fence = /^\s*(```|~~~)\s*([\w-]*)/.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.trim().startsWith(fence[1]!)) body.push(lines[i++]!);
      i++;
      out.push(`<pre class="code"><code>${esc(body.join('\n'))}</code></pre>`);
      continue;
    }
    const h = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      const level = Math.min(6, h[1]!.length + 1);
      out.push(`<h${level}>${inline(h[2]!)}</h${level}>`);
      i++;
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      out.push('<hr>');
      i++;
      continue;
    }
    if (/^\s*>/.test(line)) {
      const body: string[] = [];
      while (i < lines.length && /^\s*>/.test(lines[i]!)) body.push(lines[i++]!.replace(/^\s*>\s?/, ''));
      out.push(`<blockquote>${markdown(body.join('\n'))}</blockquote>`);
      continue;
    }
    if (/^\s*\|.*\|\s*$/.test(line) && i + 1 < lines.length && /^\s*\|?\s*:?-{2,}/.test(lines[i + 1]!)) {
      const head = tableRow(line);
      i += 2;
      const rows: string[][] = [];
      while (i < lines.length && /^\s*\|.*\|\s*$/.test(lines[i]!)) rows.push(tableRow(lines[i++]!));
      out.push(
        `<table class="md"><thead><tr>${head.map((c) => `<th>${inline(c)}</th>`).join('')}</tr></thead><tbody>${rows
          .map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`,
      );
      continue;
    }
    const li = /^\s*([-*+•]|\d+[.)])\s+/.exec(line);
    if (li) {
      const ordered = /\d/.test(li[1]!);
      const items: string[] = [];
      while (i < lines.length) {
        const m = /^\s*([-*+•]|\d+[.)])\s+(.*)$/.exec(lines[i]!);
        if (m) {
          items.push(m[2]!);
          i++;
        } else if (/^\s{2,}\S/.test(lines[i]!) && items.length) {
          items[items.length - 1] += ' ' + lines[i++]!.trim();
        } else break;
      }
      const tag = ordered ? 'ol' : 'ul';
      out.push(`<${tag}>${items.map((t) => `<li>${inline(t)}</li>`).join('')}</${tag}>`);
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && !/^\s*$/.test(lines[i]!) && !/^\s*(```|~~~|#{1,6}\s|>|([-*+•]|\d+[.)])\s)/.test(lines[i]!)) para.push(lines[i++]!);
    if (!para.length) para.push(lines[i++]!);
    // a line ending in two spaces or a backslash is a hard break
    out.push(`<p>${para.map((l, k) => inline(l.trim().replace(/\\$/, '')) + (k < para.length - 1 ? (/( {2}|\\)$/.test(l) ? '<br>' : ' ') : '')).join('')}</p>`);
  }
  return out.join('\n');
}

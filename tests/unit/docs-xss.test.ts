/**
 * The docs site's sanitiser against known XSS payloads (tests/e2e/xss-payloads.ts): link
 * targets by allow-list, markdown that lets no markup through. What the browser makes of the
 * output is read with the WHATWG URL parser (Node's is the browsers' algorithm: it drops
 * leading controls and spaces, tabs and newlines, as Chromium does). The browser test
 * (tests/e2e/docs-xss.test.ts) feeds the same payloads through every field of a real site.
 */
import { describe, expect, it } from 'vitest';
import { emptyDashboard } from '../../src/docs/dashboard-data.js';
import { renderDashboard } from '../../src/docs/site/dashboard-view.js';
import { esc, linkHtml, markdown, safeUrl } from '../../src/docs/site/markdown.js';
import { SAFE_URLS, XSS_TEXT, XSS_URLS, inMarkdownLink } from '../e2e/xss-payloads.js';

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** An attribute value as the browser reads it (the five references esc() writes). */
function unescapeAttr(v: string): string {
  return v.replace(/&(amp|lt|gt|quot|#39);/g, (_m, n: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[n]!);
}

/** The protocol a browser would follow for an href, relative to a served docs page. */
function protocolOf(href: string): string {
  return new URL(href, 'http://docs.test/site/index.html').protocol;
}

const TAGS = /^(p|h[1-6]|ul|ol|li|pre|code|strong|em|a|br|hr|blockquote|table|thead|tbody|tr|th|td|span)$/;
const ATTRS = /^(href|class|title|rel)$/;

/** Every tag in html is one markdown makes, with only its attributes, and every href is safe; the problems found. */
function unsafeMarkup(html: string): string[] {
  const problems: string[] = [];
  // every `<` must open a known tag whose attributes are all quoted name="value" pairs
  for (const m of html.matchAll(/<(\/?)([^\s>/]*)([^>]*)>?/g)) {
    const [whole, , name, rest] = m as unknown as [string, string, string, string];
    if (!TAGS.test(name)) {
      problems.push(`tag: ${whole}`);
      continue;
    }
    const attrs = rest.trim();
    const attrRe = /([a-z-]+)="([^"]*)"\s*/gy;
    let consumed = 0;
    for (let a = attrRe.exec(attrs); a; a = attrRe.exec(attrs)) {
      consumed = attrRe.lastIndex;
      if (!ATTRS.test(a[1]!)) problems.push(`attribute: ${a[1]} in ${whole}`);
      if (a[1] === 'href') {
        const href = unescapeAttr(a[2]!);
        const protocol = protocolOf(href);
        if (!SAFE_PROTOCOLS.has(protocol)) problems.push(`href ${JSON.stringify(href)} → ${protocol}`);
      }
    }
    if (consumed !== attrs.length) problems.push(`unparsed attributes: ${whole}`);
  }
  return problems;
}

/** Every href in any rendered HTML is safe, and no event-handler attribute was made. */
function unsafeLinks(html: string): string[] {
  const problems: string[] = [];
  for (const m of html.matchAll(/\s(href|src|action|formaction|xlink:href)="([^"]*)"/gi)) {
    const protocol = protocolOf(unescapeAttr(m[2]!));
    if (!SAFE_PROTOCOLS.has(protocol)) problems.push(`${m[1]}=${JSON.stringify(m[2])} → ${protocol}`);
  }
  for (const m of html.matchAll(/<[^>]*\son[a-z]+\s*=/gi)) problems.push(`event handler: ${m[0]}`);
  return problems;
}

describe('safeUrl: link targets by allow-list', () => {
  it.each(XSS_URLS.map((u) => [JSON.stringify(u), u]))('refuses %s', (_name, url) => {
    expect(safeUrl(url)).toBeNull();
  });

  it.each(SAFE_URLS.map((u) => [u]))('keeps %s', (url) => {
    expect(safeUrl(url)).toBe(url);
  });

  it('returns the URL as the browser reads it: references decoded, controls and invisible marks gone', () => {
    expect(safeUrl('https://x.test/a?b=1&amp;c=2')).toBe('https://x.test/a?b=1&c=2');
    expect(safeUrl('\x01https://x.test/\u200b')).toBe('https://x.test/');
    expect(safeUrl('  https://x.test/a b  ')).toBe('https://x.test/a%20b');
    expect(safeUrl('')).toBeNull();
    expect(safeUrl('&amp;'.repeat(1).replace('&amp;', '&' + 'amp;'.repeat(20)))).toBeNull();
  });

  it('links what is safe and shows the rest as text', () => {
    expect(linkHtml('https://x.test/"x', 'lbl')).toBe('<a href="https://x.test/&quot;x">lbl</a>');
    expect(linkHtml('\x01javascript:alert(1)', 'lbl')).not.toContain('href');
  });
});

describe('markdown against XSS payloads', () => {
  it.each(XSS_TEXT.map((p) => [p]))('lets no markup through from %s', (payload) => {
    for (const src of [payload, `para ${payload} **b** _e_`, `# ${payload}`, `- ${payload}`, `> ${payload}`, `| a |\n|---|\n| ${payload} |`, `[${payload}](https://ok.test/)`, `\`${payload}\``]) {
      expect({ src, problems: unsafeMarkup(markdown(src)) }).toEqual({ src, problems: [] });
    }
    expect(esc(payload)).not.toMatch(/[<>"']/);
  });

  it.each(XSS_URLS.filter(inMarkdownLink).map((u) => [JSON.stringify(u), u]))('makes no link to %s', (_name, url) => {
    for (const src of [`[x](${url})`, `a [x](${url}) b`, `**[x](${url})**`, `- [x](${url})`]) {
      const html = markdown(src);
      expect({ src, problems: unsafeMarkup(html) }).toEqual({ src, problems: [] });
      expect(html).not.toContain('href');
    }
  });

  it('keeps safe links, and emphasis never reaches inside an href', () => {
    for (const url of SAFE_URLS.filter(inMarkdownLink)) expect(markdown(`[x](${url})`)).toContain(`<a href="${esc(url)}">x</a>`);
    for (const src of ['[x](https://a.test/**b)**', '[x](https://a.test/_b)_c_', '[x](https://a.test/*b*)*c*', '**[x](https://a.test/"onmouseover=alert(1))**']) {
      const html = markdown(src);
      expect({ src, problems: unsafeMarkup(html) }).toEqual({ src, problems: [] });
      for (const m of html.matchAll(/href="([^"]*)"/g)) expect(m[1]).not.toMatch(/[<>]/);
    }
  });
});

describe('dashboard exposures against XSS payloads', () => {
  it('links no exposure url that runs script, and escapes every name', () => {
    const d = emptyDashboard();
    d.exposures = [...XSS_URLS, ...SAFE_URLS].map((url, i) => ({ id: `exposure.p.e${i}`, name: XSS_TEXT[i % XSS_TEXT.length]!, label: XSS_TEXT[(i + 1) % XSS_TEXT.length]!, type: XSS_TEXT[(i + 2) % XSS_TEXT.length]!, owner: { name: XSS_TEXT[(i + 3) % XSS_TEXT.length]! }, url, depends_on: [] })) as typeof d.exposures;
    const html = renderDashboard(d, (id, label) => `<a href="#/node/${encodeURIComponent(id)}">${esc(label ?? id)}</a>`);
    expect(unsafeLinks(html)).toEqual([]);
    expect(html).not.toMatch(/<(script|img|svg\/|iframe|object|embed|base|meta|input|details|form|x )/i);
    // the safe ones are still links
    expect(html).toContain('href="https://example.com/a?b=1&amp;c=2"');
    expect(html).toContain('href="mailto:team@example.com"');
  });
});

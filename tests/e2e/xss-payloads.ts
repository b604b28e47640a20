/**
 * Known XSS payloads, after OWASP's XSS filter-evasion cheat sheet: markup that runs script
 * (tags, event handlers, broken and nested markup, attribute and context breakouts) and URLs
 * that do (javascript:, vbscript:, data:, each hidden behind case, control characters,
 * whitespace, invisible marks and character references). Each one, if it ran, calls alert()
 * (the browser test hooks it) — none loads anything from the network (`xss.invalid` cannot
 * resolve). Used by the sanitiser's unit tests and the docs site's browser test.
 */

/** Text payloads: for descriptions, names, tags, meta, SQL, column names, messages. None holds `{{` (descriptions are templates). */
export const XSS_TEXT: string[] = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=http://xss.invalid/xss.js></SCRIPT>',
  '<IMG SRC="javascript:alert(\'XSS\');">',
  '<IMG SRC=JaVaScRiPt:alert(\'XSS\')>',
  '<IMG SRC=`javascript:alert("RSnake says, \'XSS\'")`>',
  '<a onmouseover="alert(document.cookie)">xxs link</a>',
  '<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>',
  '<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>',
  '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',
  '<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000049&#0000041">',
  '<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>',
  '<IMG SRC="jav&#x09;ascript:alert(\'XSS\');">',
  '<IMG SRC=" &#14;  javascript:alert(\'XSS\');">',
  '<SCRIPT/XSS SRC="http://xss.invalid/xss.js"></SCRIPT>',
  '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>',
  '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
  '<iframe src=http://xss.invalid/scriptlet.html <',
  '</TITLE><SCRIPT>alert("XSS");</SCRIPT>',
  '<INPUT TYPE="IMAGE" SRC="javascript:alert(\'XSS\');">',
  '<svg/onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
  '<IFRAME SRC="javascript:alert(\'XSS\');"></IFRAME>',
  '<DIV STYLE="background-image: url(javascript:alert(\'XSS\'))">x</DIV>',
  '<BASE HREF="javascript:alert(\'XSS\');//">',
  '<OBJECT TYPE="text/x-scriptlet" DATA="http://xss.invalid/scriptlet.html"></OBJECT>',
  '<EMBED SRC="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+" type="image/svg+xml">',
  '<form><button formaction=javascript:alert(1)>x</button></form>',
  '<details open ontoggle=alert(1)>',
  '<img src=x onerror=alert(1)//',
  '"><script>alert(1)</script>',
  "'><img src=x onerror=alert(1)>",
  '" onmouseover="alert(1)" x="',
  "' autofocus onfocus='alert(1)' x='",
  '`-alert(1)-`',
  '${alert(1)}',
  '--><script>alert(1)</script><!--',
  ']]><script>alert(1)</script>',
  '</textarea><script>alert(1)</script>',
  '</style><script>alert(1)</script>',
  '\\";alert(\'XSS\');//',
  '<a href="javascript:alert(1)">x</a>',
  '[md](javascript:alert(1))',
  '<x onpointerenter=alert(1)>hover</x>',
];

/**
 * URLs that run script if followed (for link targets: markdown links and exposure urls);
 * `%28`/`%29` are the parentheses (a javascript: URL is percent-decoded before it runs), so
 * most fit a markdown link `[x](…)`, which ends at the first `)` or white space.
 */
export const XSS_URLS: string[] = [
  'javascript:alert%281%29',
  'JaVaScRiPt:alert%281%29',
  '\x01javascript:alert%281%29',
  '\x00javascript:alert%281%29',
  '\x1fjavascript:alert%281%29',
  '\x7fjavascript:alert%281%29',
  'java\x01script:alert%281%29',
  '&#106;avascript:alert%281%29',
  '&#x6A;avascript:alert%281%29',
  '&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert%281%29',
  'javascript&colon;alert%281%29',
  'jav&#x09;ascript:alert%281%29',
  'jav&#x0A;ascript:alert%281%29',
  'jav&Tab;ascript:alert%281%29',
  '&amp;#106;avascript:alert%281%29',
  '\u200bjavascript:alert%281%29',
  '\ufeffjavascript:alert%281%29',
  '\u00adjavascript:alert%281%29',
  'vbscript:msgbox%281%29',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'data:text/html,%3Cscript%3Ealert%281%29%3C/script%3E',
  'data:text/html,<script>alert(1)</script>',
  'javascript://%0Aalert%281%29',
  'javascript:alert%281%29//https://ok.example/',
  'file:///etc/passwd',
  // with white space or a `)`: exposure urls only
  'javascript:alert(1)',
  ' javascript:alert%281%29',
  'java\tscript:alert%281%29',
  'java\nscript:alert%281%29',
  '\u00a0javascript:alert%281%29',
  '\x0b\x0c javascript:alert%281%29',
];

/** URLs the docs should keep as links. */
export const SAFE_URLS: string[] = ['https://example.com/a?b=1&c=2', 'http://example.com', 'mailto:team@example.com', '#/node/model.p.x', '#/lineage?select=tag:gold', 'other.html', './docs/x.html', '../x.html', '/abs/path', '?q=1'];

/** Fits a markdown link target: no white space, no `)`. */
export const inMarkdownLink = (u: string): boolean => !/[\s)]/.test(u);

// Render Markdown as JupyterLab 4 renders a `text/markdown` output, for the sanitizer tests.
//
// Usage: node jupyterlab_render.mjs <labextension/node_modules>
// Reads one JSON array of Markdown strings per line on stdin and answers each line with one
// JSON array of {html, view, marked, math, error}: `view` is the text `marked` got (math
// hidden as @@n@@), `marked` the HTML it made of it, `math` the hidden math in order, `html`
// what the browser gets. Any missing part is an error, never a silent skip.
//
// The steps are JupyterLab's: rendermime's renderMarkdown (removeMath, the parser,
// replaceMath) with markedparser-extension's parser: marked with gfm, its two plugins, and a
// renderer that writes fenced code with a language, once highlighted, as
// `<pre><code class="language-${lang}">` with `lang` (the whole info string) unescaped. The
// highlighting itself (CodeMirror, in the browser) only yields escaped text, modelled here.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const folder = resolve(process.argv[2]);
const modules = pathToFileURL(folder).href;
const { marked, Renderer } = await import(`${modules}/marked/lib/marked.esm.js`);
const { gfmHeadingId } = await import(`${modules}/marked-gfm-heading-id/src/index.js`);
const { mangle } = await import(`${modules}/marked-mangle/src/index.js`);
marked.use(gfmHeadingId());
marked.use(mangle());

// latex.js is an ES module in a package Node would load as CommonJS.
globalThis.navigator ??= { appName: 'node' };
const latex = readFileSync(`${folder}/@jupyterlab/rendermime/lib/latex.js`, 'utf8');
const { removeMath, replaceMath } = await import(
  `data:text/javascript;base64,${Buffer.from(latex).toString('base64')}`
);

const FENCE = '```~~~';
const highlights = new Map();
const escapeText = text =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\u00a0/g, '&nbsp;');

function makeRenderer() {
  const renderer = new Renderer();
  const originalCode = renderer.code;
  renderer.code = token => {
    const highlight = highlights.get(`${token.lang}${FENCE}${token.text}${FENCE}`);
    return highlight ?? originalCode.call(renderer, token);
  };
  return renderer;
}

async function walkTokens(token) {
  if (token.type === 'code' && token.lang) {
    const html = `<pre><code class="language-${token.lang}">${escapeText(token.text)}</code></pre>`;
    highlights.set(`${token.lang}${FENCE}${token.text}${FENCE}`, html);
  }
}

const options = { async: true, gfm: true, walkTokens, renderer: makeRenderer() };

async function render(markdown) {
  const parts = removeMath(markdown);
  try {
    const marked_html = await marked(parts.text, options);
    const html = replaceMath(marked_html, parts.math);
    return { html, view: parts.text, marked: marked_html, math: parts.math, error: null };
  } catch (error) {
    return { html: '', view: parts.text, marked: '', math: parts.math, error: String(error) };
  }
}

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  const pages = [];
  for (const markdown of JSON.parse(line)) {
    pages.push(await render(markdown));
  }
  highlights.clear();
  process.stdout.write(JSON.stringify(pages) + '\n');
}

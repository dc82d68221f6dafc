"""Neutralise untrusted Markdown (model output) before a browser renders it.

JupyterLab renders ``text/markdown`` outputs of cells run in the session with ``marked`` and
does not sanitise them, so raw HTML or a ``javascript:`` link written by a (possibly
prompt-injected) model would be live in the notebook. We keep the Markdown, so frontends still
render math, tables and code highlighting, and rewrite only the dangerous spans of the source:

* raw HTML outside code shows as text: its ``<`` becomes ``&lt;``;
* a link whose target is not http(s), mailto or relative loses its brackets (``\\[``, ``\\]``,
  ``\\(``) and shows as the text the model wrote;
* an image other than an inline ``data:image/(png|jpeg|gif|webp)`` one becomes a link (http(s))
  or text, so the browser fetches nothing by itself;
* an unclosed code fence at the end is closed, so Markdown appended after it stays Markdown.

Spans are found with markdown-it's tokens, not with regular expressions over the text, and
every result is parsed again and verified; whatever the rewrite cannot settle falls back to the
whole text in a code block.

markdown-it is not the parser that renders, though. Where ``marked`` (and JupyterLab's math
pre-pass, which hides ``$...$`` from it) read the same text differently, markup markdown-it saw
as code or text could come alive. So the rewrite also makes the text unambiguous: ``<tag``-like
text is escaped wherever markdown-it leaves it as text, code holding Markdown-like text gets a
layout every parser reads as code (longer or rebuilt fences, one-line code spans with a unique
backtick count), blank lines and tabs are normalised, odd definitions become text, quotes in
fence info strings (which JupyterLab writes unescaped into a class attribute) become entities,
and the text is parsed a second time as JupyterLab's math pre-pass leaves it.

The parts, each importing only those listed before it:

* ``text``: the normalised source text, ``Edit`` and escaping for our own Markdown;
* ``urls``: the URL policy, which targets links and images may keep;
* ``jupyterlab``: how JupyterLab reads the text, ``marked``'s looser grammar and the math
  pre-pass;
* ``notes``: what one parse noticed and the edits it asks for, span by span;
* ``recording``: markdown-it with the recording rules that take those notes;
* ``rewrite``: notes to edits of the source, and a block layout every parser agrees on;
* ``neutralize``: the public functions, the rounds of rewriting and the verifier.
"""

from .neutralize import is_safe_markdown, neutralize_markdown
from .text import escape_markdown_inline

__all__ = ["escape_markdown_inline", "is_safe_markdown", "neutralize_markdown"]

"""What a request carries of the notebook: labelled parts with token estimates.

`AttachedContext.as_message_text()` is prepended to the user's message; `summary()` is what
provenance records (which parts, their sizes, what was trimmed; never their contents);
`fingerprint()` is a digest of the contents, so a changed DataFrame makes a new replay key.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..conversation import CHARS_PER_TOKEN

KINDS = ("mention", "error", "vars", "cell", "output")
PREAMBLE = (
    "Context attached from the user's Jupyter notebook (descriptions of kernel values, cells "
    "and outputs, newest cell first; secrets appear as [redacted]):"
)
FINGERPRINT_DIGITS = 16  # of the SHA-256, in provenance
_LANGUAGES = {"code": "python", "markdown": "markdown"}


def text_tokens(text: str) -> int:
    """The project's estimate: about four characters a token, rounded up."""
    return -(-len(text) // CHARS_PER_TOKEN)


def fence(text: str, language: str = "text") -> str:
    """`text` in a backtick fence longer than any backtick run inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{language}\n{text}\n{ticks}"


@dataclass(frozen=True)
class ContextPart:
    """One labelled block: `@df`, `In [3]`, `Out [3]`, `last error`, `variables`.

    `age` orders trimming among cells and outputs (0 is the newest cell); `language` is the
    fence's language (`python` for code cells). `tokens` estimates the whole block.
    """

    label: str
    kind: str
    text: str
    age: int = 0
    language: str = "text"

    @property
    def block(self) -> str:
        return f"### {self.label}\n{fence(self.text, self.language)}"

    @property
    def tokens(self) -> int:
        return text_tokens(self.block)

    def as_dict(self) -> dict[str, Any]:
        """Label, kind and size: provenance and the "Context sent" list, without contents."""
        return {"label": self.label, "kind": self.kind, "tokens": self.tokens}


def code_language(cell_kind: str) -> str:
    return _LANGUAGES.get(cell_kind, "text")


@dataclass(frozen=True)
class AttachedContext:
    """The parts that fit the budget, in the order they are sent, and notes on what was cut."""

    parts: list[ContextPart] = field(default_factory=list)
    trimmed: list[str] = field(default_factory=list)
    spec: str = "none"  # the canonical `--context` spec it was built from
    budget: int = 0

    def __bool__(self) -> bool:
        return bool(self.parts)

    @property
    def tokens(self) -> int:
        return text_tokens(self.as_message_text()) if self.parts else 0

    def as_message_text(self) -> str:
        """The labelled blocks the user message starts with ("" when nothing is attached)."""
        if not self.parts:
            return ""
        return "\n\n".join([PREAMBLE, *(part.block for part in self.parts)])

    def prepend_to(self, body: str) -> str:
        """The user message: the context blocks, a rule, then the cell body as typed."""
        return f"{self.as_message_text()}\n\n---\n\n{body}" if self.parts else body

    def summary(self) -> dict[str, Any]:
        """For provenance and display: parts (label, kind, tokens), budget, trims, digest."""
        return {
            "spec": self.spec,
            "parts": [part.as_dict() for part in self.parts],
            "tokens": self.tokens,
            "budget": self.budget,
            "trimmed": list(self.trimmed),
            # Enough digits to tell contexts apart, too few to look like a key in a notebook.
            "fingerprint": self.fingerprint()[:FINGERPRINT_DIGITS],
        }

    def fingerprint(self) -> str:
        """SHA-256 of the parts' labels, kinds and texts: equal contents, equal digest."""
        canonical = json.dumps(
            [[p.label, p.kind, p.text] for p in self.parts],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

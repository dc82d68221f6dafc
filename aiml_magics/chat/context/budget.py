"""Fit the parts to the `context_tokens` budget: the oldest and largest go first, and say so.

1. No part may take more than half the budget: larger ones are cut.
2. While over budget, whole parts are dropped: outputs, oldest cell first; then cells,
   oldest first; then the variables line.
3. What remains (mentions and the last error, which the user asked for by name) is cut,
   largest first, until it fits.
Every cut and drop adds a note saying what and how much.
"""

from __future__ import annotations

from dataclasses import replace

from ..conversation import CHARS_PER_TOKEN
from .attached import ContextPart, text_tokens
from .registry import CUT, cut

DROP_ORDER = ("output", "cell", "vars")
CUT_NOTE = "[... cut to fit the context budget]"
MINIMUM_TOKENS = 30  # a part cut below this says too little to keep


def fit(parts: list[ContextPart], budget: int) -> tuple[list[ContextPart], list[str]]:
    """The parts that fit `budget` estimated tokens, in their order, and notes on the trims."""
    notes: list[str] = []
    cap = max(budget // 2, MINIMUM_TOKENS)
    kept = [_cut(part, cap, notes) if part.tokens > cap else part for part in parts]
    for victim in _drop_order(kept):
        if _total(kept) <= budget:
            break
        kept.remove(victim)
        notes.append(f"dropped {victim.label} (~{victim.tokens:,} tokens)")
    while kept and _total(kept) > budget:
        largest = max(kept, key=lambda part: part.tokens)
        index = kept.index(largest)
        room = largest.tokens - (_total(kept) - budget)
        said: list[str] = []
        shorter = _cut(largest, room, said) if room >= MINIMUM_TOKENS else largest
        if shorter.tokens < largest.tokens:
            kept[index] = shorter
            notes += said
        else:  # too little room to say anything useful, or it cannot shrink further
            del kept[index]
            notes.append(f"dropped {largest.label} (~{largest.tokens:,} tokens)")
    return kept, notes


def _total(parts: list[ContextPart]) -> int:
    return sum(part.tokens for part in parts)


def _drop_order(parts: list[ContextPart]) -> list[ContextPart]:
    droppable = [part for part in parts if part.kind in DROP_ORDER]
    return sorted(droppable, key=lambda part: (DROP_ORDER.index(part.kind), -part.age))


def _cut(part: ContextPart, tokens: int, notes: list[str]) -> ContextPart:
    """`part` cut to about `tokens` estimated tokens (its label and fence included)."""
    overhead = part.tokens - text_tokens(part.text)
    chars = max(0, (tokens - overhead) * CHARS_PER_TOKEN - len(CUT_NOTE) - 1)
    text = cut(part.text, chars).removesuffix(CUT)
    shorter = replace(part, text=f"{text}\n{CUT_NOTE}")
    notes.append(f"cut {part.label} from ~{part.tokens:,} to ~{shorter.tokens:,} tokens")
    return shorter

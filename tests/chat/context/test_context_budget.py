"""Trimming to the budget: outputs then cells, oldest first; large parts cut; all reported."""

from aiml_magics.chat.context.attached import ContextPart
from aiml_magics.chat.context.budget import CUT_NOTE, fit


def part(label, kind, size, age=0):
    return ContextPart(label, kind, "\n".join(["word " * 15] * (size // 80 + 1))[:size], age)


def cells(count, size=400):
    parts = []
    for age in range(count):
        parts.append(part(f"In [{count - age}]", "cell", size, age))
        parts.append(part(f"output of In [{count - age}]", "output", size, age))
    return parts


def total(parts):
    return sum(p.tokens for p in parts)


def test_everything_fits_nothing_trimmed():
    parts = [part("@df", "mention", 400), *cells(2)]
    kept, notes = fit(parts, 10_000)
    assert kept == parts and notes == []


def test_outputs_go_first_oldest_first_then_cells():
    parts = [part("@df", "mention", 400), part("variables", "vars", 200), *cells(4)]
    budget = total(parts) - 50  # a little too much: one output goes
    kept, notes = fit(parts, budget)
    assert notes == [f"dropped output of In [1] (~{parts[-1].tokens:,} tokens)"]
    assert total(kept) <= budget

    kept, notes = fit(parts, 400)
    labels = [p.label for p in kept]
    assert "@df" in labels and all(not label.startswith("output") for label in labels)
    dropped = [note.split(" (")[0].removeprefix("dropped ") for note in notes]
    outputs = [f"output of In [{n}]" for n in (1, 2, 3, 4)]
    assert dropped[:4] == outputs  # every output before any cell, the oldest first
    assert dropped[4:6] == ["In [1]", "In [2]"]
    assert total(kept) <= 400


def test_order_of_kept_parts_is_unchanged():
    parts = [part("@a", "mention", 100), *cells(3, 100)]
    kept, _ = fit(parts, total(parts) - 10)
    assert [p.label for p in kept] == [p.label for p in parts if p in kept]
    assert kept[0].label == "@a"


def test_a_part_larger_than_half_the_budget_is_cut_and_said():
    parts = [part("@big", "mention", 20_000), part("In [1]", "cell", 200)]
    kept, notes = fit(parts, 2000)
    big = kept[0]
    assert big.text.endswith(CUT_NOTE) and big.tokens <= 1000
    assert notes == [f"cut @big from ~{parts[0].tokens:,} to ~{big.tokens:,} tokens"]
    assert [p.label for p in kept] == ["@big", "In [1]"]


def test_mentions_and_errors_are_cut_largest_first_when_alone_too_big():
    parts = [
        part("@a", "mention", 1200),
        part("@b", "mention", 3000),
        part("last error", "error", 800),
    ]
    kept, notes = fit(parts, 900)
    assert total(kept) <= 900
    assert notes[0].startswith("cut @b")  # the cap: more than half of 900
    assert all(note.startswith(("cut", "dropped")) for note in notes)
    assert "@b" in [p.label for p in kept]


def test_tiny_budget_drops_what_cannot_be_kept_meaningfully():
    kept, notes = fit([part("@a", "mention", 2000), *cells(2)], 10)
    assert total(kept) <= 10 and notes

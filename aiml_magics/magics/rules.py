"""Which `%%aiml` options go together: one table, from which the usage errors, the rules
section of `%%aiml?` and what TAB leaves out are all derived.

A rule reads "SUBJECT needs OTHER", "SUBJECT excludes OTHER" or "SUBJECT only with OTHER"
(an option that belongs to a mode, like `--out-col` to `--over`); OTHER may name
alternatives, "A or B" (either one is enough). Its `reason` is the whole
error a user sees when the rule is broken. Options are written as users type them; how an
option counts as "used" is in `USED` (default: set on the line).
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from IPython.core.error import UsageError

NEEDS, EXCLUDES, ONLY_WITH = "needs", "excludes", "only with"

# How an option counts as used, when not simply "set" (the namespace, not the value).
USED: dict[str, Callable[[argparse.Namespace], bool]] = {
    "-m/--model": lambda args: args.model is not None,
    "-c/--chat": lambda args: args.chat != "default",
    "-p response_format": lambda args: any(k == "response_format" for k, _ in args.param),
    "--over or --eval or --filter or --classify": lambda args: any(
        getattr(args, mode) is not None for mode in ("over", "eval", "filter", "classify")
    ),
    "--filter or --classify": lambda args: args.filter is not None or args.classify is not None,
    "--make image": lambda args: args.make == "image",
    "--make speech": lambda args: args.make == "speech",
}


def _dest(option: str) -> str:
    return option.split("/")[-1].lstrip("-").replace("-", "_")


def alternatives(option: str) -> list[str]:
    """`--tools or --mcp` -> the options any one of which will do."""
    return option.split(" or ")


def used(option: str, args: argparse.Namespace) -> bool:
    """Whether `option` was given on the line (a flag set, a value given, a list not empty);
    for alternatives, whether any of them was."""
    if " or " in option:
        return any(used(one, args) for one in alternatives(option))
    if option in USED:
        return USED[option](args)
    value = getattr(args, _dest(option))
    return value is not None and value is not False and value != []


@dataclass(frozen=True)
class Rule:
    subject: str
    kind: str  # NEEDS, EXCLUDES or ONLY_WITH
    other: str
    reason: str  # the error, with today's explanation of why
    when: Callable[[Any], bool] | None = None  # applies only to these values of the subject

    def applies(self, args: argparse.Namespace) -> bool:
        if not used(self.subject, args):
            return False
        return self.when is None or self.when(getattr(args, _dest(self.subject)))

    def broken(self, args: argparse.Namespace) -> bool:
        if not self.applies(args):
            return False
        present = used(self.other, args)
        return present if self.kind == EXCLUDES else not present

    @property
    def text(self) -> str:
        """The rule as `%%aiml?` lists it."""
        condition = " (other than none or auto)" if self.when is not None else ""
        return f"{self.subject}{condition} {self.kind} {self.other}"


def _batch_only(option: str) -> Rule:
    return Rule(option, ONLY_WITH, "--over", f"{option} belongs to a batch: add --over DATA")


def _not_in_batch(option: str) -> Rule:
    return Rule(
        "--over",
        EXCLUDES,
        option,
        f"{option} does not apply to a batch (--over): each row is one request with no tools, "
        "no comparison and no chat history",
    )


def _not_with_schema(option: str) -> Rule:
    return Rule(
        "--schema", EXCLUDES, option, f"--schema sets the response format itself; drop {option}"
    )


def _eval_only(option: str) -> Rule:
    return Rule(option, ONLY_WITH, "--eval", f"{option} belongs to an evaluation: add --eval DATA")


def _not_in_eval(option: str, why: str) -> Rule:
    return Rule("--eval", EXCLUDES, option, f"{option} does not apply to --eval: {why}")


_EVAL_ROWS = "each row is asked on its own, with no chat history"


def _not_with_make(option: str) -> Rule:
    return Rule(
        "--make",
        EXCLUDES,
        option,
        f"{option} does not apply to --make: it makes one image, speech or video from the "
        "cell's text, outside any chat; drop one of them",
    )


def _not_in_operator(option: str) -> Rule:
    return Rule(
        "--filter or --classify",
        EXCLUDES,
        option,
        f"{option} does not apply to --filter or --classify: each row is asked on its own, "
        "with the body as the question and no chat history; drop one of them",
    )


_TOOL_SOURCES = "--tools or --mcp"
_NEEDS_TOOLS = "--tool-choice and --confirm-tools need --tools NAMES or --mcp SERVERS"

# Checked in this order; the first broken rule is the error.
RULES: tuple[Rule, ...] = (
    Rule(
        "--eval",
        NEEDS,
        "--compare",
        "--eval needs the models to evaluate: add --compare M1,M2",
    ),
    _not_in_eval("--over", "an evaluation runs its own batches; use one of the two"),
    _not_in_eval("--keep", "an evaluation adds nothing to the conversation"),
    *(
        _not_in_eval(option, _EVAL_ROWS)
        for option in ("-c/--chat", "--new", "--no-history", "--to-cell", "--out-col")
    ),
    *(
        _not_in_eval(option, "answers are scored as text; evaluate without them")
        for option in (
            "--tools",
            "--mcp",
            "--tool-choice",
            "--confirm-tools",
            "--image",
            "--schema",
        )
    ),
    Rule(
        "--keep", NEEDS, "--compare", "--keep MODEL chooses one answer of --compare MODELS; add it"
    ),
    Rule("--compare", EXCLUDES, "-m/--model", "--compare names the models; drop -m"),
    Rule(
        "--compare",
        EXCLUDES,
        "--tools",
        "--tools cannot be used with --compare: each model would run its own tool loop and "
        "call your functions again and again (side effects repeated, answers not comparable). "
        "Compare without tools, then use -m MODEL --tools",
    ),
    Rule(
        "--compare",
        EXCLUDES,
        "--mcp",
        "--mcp cannot be used with --compare: each model would run its own tool loop against "
        "the servers (side effects repeated, answers not comparable). Compare without tools, "
        "then use -m MODEL --mcp",
    ),
    Rule(
        "--compare",
        EXCLUDES,
        "--to-cell",
        "--to-cell needs one answer; with --compare choose it first, then take the code from "
        "_aiml.results[MODEL].text",
    ),
    Rule(
        "--keep",
        EXCLUDES,
        "--no-history",
        "--keep records an answer, and --no-history records nothing; drop one",
    ),
    *(
        _not_in_batch(option)
        for option in (
            "--compare",
            "--tools",
            "--mcp",
            "--tool-choice",
            "--confirm-tools",
            "-c/--chat",
            "--new",
            "--image",
            "--to-cell",
            "--dry-run",
        )
    ),
    Rule(
        "--over",
        EXCLUDES,
        "--context",
        "--context does not apply to a batch (--over): it would be sent again with every "
        "row; put what the rows need in {name} placeholders",
    ),
    _batch_only("--out-col"),
    *(
        Rule(
            option,
            ONLY_WITH,
            "--over or --eval or --filter or --classify",
            f"{option} belongs to a batch, an evaluation or a semantic operator: add --over, "
            "--eval, --filter or --classify DATA",
        )
        for option in ("--concurrency", "--max-credits")
    ),
    Rule(
        "--filter",
        EXCLUDES,
        "--classify",
        "--filter and --classify are two operators; use one per cell",
    ),
    Rule(
        "--labels", ONLY_WITH, "--classify", "--labels belongs to --classify: add --classify DATA"
    ),
    Rule(
        "--classify",
        NEEDS,
        "--labels",
        "--classify needs the labels to choose from: add --labels a,b,c",
    ),
    *(
        _not_in_operator(option)
        for option in (
            "--over",
            "--eval",
            "--compare",
            "--make",
            "--tools",
            "--mcp",
            "--image",
            "--schema",
            "--json",
            "--context",
            "-s/--system",
            "-c/--chat",
            "--new",
            "--no-history",
            "--to-cell",
        )
    ),
    *(_eval_only(option) for option in ("--repeats", "--metric", "--judge")),
    Rule(
        "--tool-choice",
        NEEDS,
        _TOOL_SOURCES,
        _NEEDS_TOOLS,
        when=lambda choice: choice not in ("none", "auto"),
    ),
    Rule("--confirm-tools", NEEDS, _TOOL_SOURCES, _NEEDS_TOOLS),
    Rule(
        "--mcp-resource",
        NEEDS,
        "--mcp",
        "--mcp-resource URI is read from the servers of --mcp SERVERS; add it",
    ),
    *(_not_with_schema(option) for option in ("--json", "--tools", "--mcp", "-p response_format")),
    Rule("--image-detail", NEEDS, "--image", "--image-detail needs --image SRC"),
    Rule("--size", NEEDS, "--make image", "--size WxH is the size of an image: add --make image"),
    Rule("--n", NEEDS, "--make image", "--n N is how many images to make: add --make image"),
    Rule("--voice", NEEDS, "--make speech", "--voice V is the voice of speech: add --make speech"),
    *(
        _not_with_make(option)
        for option in (
            "--compare",
            "--over",
            "--tools",
            "--mcp",
            "--schema",
            "--json",
            "--to-cell",
            "--image",
            "-c/--chat",
            "--new",
            "-s/--system",
        )
    ),
)


def check(args: argparse.Namespace) -> None:
    """Raise the first broken rule's reason as a `UsageError` (before anything is sent)."""
    for rule in RULES:
        if rule.broken(args):
            raise UsageError(rule.reason)


def help_section() -> str:
    """The rules as `%%aiml?` and `%aiml help` list them."""
    wrapped = [textwrap.fill(row, 78, subsequent_indent="    ") for row in help_rows()]
    return "Which options go together:\n" + "\n".join(wrapped) + "\n"


def help_rows() -> list[str]:
    """One line per subject and kind (options that belong to a mode share one line)."""
    lines: dict[tuple[str, str], list[str]] = {}
    for rule in RULES:
        if rule.kind == ONLY_WITH:
            lines.setdefault((ONLY_WITH, rule.other), []).append(rule.subject)
            continue
        head = rule.text[: -len(rule.other)].rstrip()
        lines.setdefault((head, ""), []).append(rule.other)
    return [
        f"{', '.join(names)} {ONLY_WITH} {key}"
        if head == ONLY_WITH
        else f"{head} {', '.join(names)}"
        for (head, key), names in lines.items()
    ]


def excluded_by(typed: set[str]) -> set[str]:
    """Options that cannot be added to a line that has `typed` (for TAB)."""
    spelled = {word for option in typed for word in _spellings(option)}
    left_out = set()
    for rule in RULES:
        if rule.kind != EXCLUDES:
            continue
        for one, other in ((rule.subject, rule.other), (rule.other, rule.subject)):
            if set(_spellings(one)) & spelled:
                left_out.update(_spellings(other))
    return left_out


def _spellings(option: str) -> list[str]:
    """`-c/--chat` is typed as `-c` or `--chat`; `-p response_format` is not an option TAB
    can leave out (other -p fields are fine)."""
    if " " in option:
        return []
    return option.split("/")

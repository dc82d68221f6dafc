"""`%%aiml --filter DATA` and `%%aiml --classify DATA --labels a,b,c`: the two most common
semantic operators as cells. The body is the condition (or the instruction); the work is
`df.aiml.filter` / `df.aiml.classify` (`frames/`), so the cell and the accessor send the
same requests and share the session's answers, budget and replay."""

from __future__ import annotations

import argparse
from typing import Any

from IPython.core.error import UsageError

from ..chat.interpolate import _MISSING, resolve
from ..chat.publish import publish
from .frontend import Frontend
from .options import request_params


def semantic_cell(magics: Any, frontend: Frontend, args: argparse.Namespace, cell: str) -> None:
    """Run the operator on the frame the option names; show the result (or the dry run's
    price) and put the frame in `_aiml` and `-o VAR`."""
    option, name = (
        ("--filter", args.filter) if args.filter is not None else ("--classify", args.classify)
    )
    namespace = magics.shell.user_ns
    frame = _frame(option, name, namespace)
    settings = magics.session.settings
    if request_params(settings.default_params(), args) != settings.default_params():
        raise UsageError(
            f"{option} sends the session's generation parameters (%aiml config); set them "
            "there, or use aiml_magics.batch for per-call parameters"
        )
    options = {
        "model": args.model,
        "concurrency": 8 if args.concurrency is None else args.concurrency,
        "max_credits": args.max_credits,
        "dry_run": args.dry_run,
        "fresh": args.fresh,
    }
    question = cell.strip()
    if args.filter is not None:
        out = frame.aiml.filter(question, keep_reason=True, **options)
    else:
        out = frame.aiml.classify(question, labels=_labels(args.labels), **options)
    if args.dry_run:  # like a cell's dry run: shown, nothing kept
        frontend.show({"text/plain": str(out)})
        return
    report = out.attrs.get("aiml")
    frontend.show({"text/plain": f"{report}\n\n{out}" if report is not None else str(out)})
    publish(namespace, out, out_var=args.out)


def _frame(option: str, name: str, namespace: dict[str, Any]) -> Any:
    """The DataFrame named on the line (a Series becomes a one-column frame)."""
    found = resolve(name.strip(), namespace) if name.strip() else _MISSING
    if found is _MISSING:
        raise UsageError(f"{option}: there is no {name!r} in the notebook; name a DataFrame")
    kind = type(found).__name__
    if kind == "Series":
        return found.to_frame()
    if kind != "DataFrame" or not hasattr(found, "aiml"):
        raise UsageError(f"{option} works on a pandas DataFrame; {name!r} is a {kind}")
    return found


def _labels(text: str) -> list[str]:
    labels = [label.strip() for label in text.split(",") if label.strip()]
    if len(labels) < 2:
        raise UsageError(f"--labels needs at least two labels separated by commas, got {text!r}")
    return labels

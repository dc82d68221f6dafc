"""The options of `%%aiml`, declared once, in groups that go together.

Each group is a decorator factory applying one `argument_group` and its `argument`s (the
pattern of IPython's `script_args`); the groups' order is the order of `%%aiml?`. The
generation parameters come from `chat.params.PARAMS`; which options go together is the rule
table in `rules.py`.

Errors about the options line are IPython's `UsageError` (printed as IPython prints its own
magics' usage errors, argparse's included); the library's `UsageError`, for values the layers
below cannot use, reaches the user the same way (the rule is in `usage.py`).
"""

from __future__ import annotations

import argparse
import json
import shlex
from collections.abc import Callable
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic_arguments import argument, argument_group

from ..chat.context import ContextError, ContextSpec, parse_spec
from ..chat.params import BY_NAME, CHOICES, PARAMS, Param
from ..chat.settings import REASONING_MODES

RESERVED_FIELDS = {"model", "messages", "stream"}
Decorator = Callable[[Any], Any]


def option_group(title: str, *arguments: Decorator) -> Decorator:
    """One decorator adding a titled group of arguments, in the order they are written."""

    def apply(func: Any) -> Any:
        for decorator in reversed((argument_group(title), *arguments)):
            func = decorator(func)
        return func

    return apply


def bounded(param: Param) -> Callable[[str], float | int]:
    """argparse `type` of a generation parameter: a number within the declared bounds."""

    def convert(text: str) -> float | int:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{param.name} must be a number, got {text!r}"
            ) from None
        try:
            return param.check(value)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = param.name  # argparse names the type in its own messages
    return convert


def context_spec(text: str) -> ContextSpec:
    """argparse `type` of `--context`: a parsed spec, or argparse's usage error."""
    try:
        return parse_spec(text)
    except ContextError as exc:
        raise argparse.ArgumentTypeError(exc.message.removeprefix("--context: ")) from None


context_spec.__name__ = "context"


def parse_param(text: str) -> tuple[str, Any]:
    """`KEY=VALUE` with VALUE parsed as JSON when it parses, else kept as a string."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"-p expects KEY=VALUE, got {text!r}")
    if key in RESERVED_FIELDS:
        raise argparse.ArgumentTypeError(f"-p cannot set {key!r}; use the matching option")
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    if key in BY_NAME and isinstance(value, (int, float)):
        try:
            value = BY_NAME[key].check(value)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return key, value


def parse_options(magic: Any, line: str) -> argparse.Namespace:
    """Shell-style splitting, so `-s "Be brief."` loses its quotes (IPython's own keeps them)."""
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise UsageError(f"could not parse the options ({exc}): {line}") from None
    return magic.parser.parse_args(words)


def request_params(defaults: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """The request fields of a cell: session defaults, then its parameter options, then -p."""
    params = dict(defaults)
    for param in PARAMS:
        value = getattr(args, param.name)
        if value is not None:
            params[param.name] = value
    for choice in CHOICES:
        value = getattr(args, choice.name)
        if value is not None:
            params[choice.field] = value
    if args.json:
        params["response_format"] = {"type": "json_object"}
    params.update(dict(args.param))
    return params


model_options = option_group(
    "Model and conversation",
    argument(
        "-m", "--model", metavar="MODEL", help="Model id (default: AimlMagics.model, AIML_MODEL)."
    ),
    argument("-c", "--chat", default="default", help="Conversation to use (default: default)."),
    argument("--new", action="store_true", help="Clear this chat before sending."),
    argument(
        "--no-history",
        action="store_true",
        help="Send only the system prompt and this cell; record nothing.",
    ),
    argument("-s", "--system", help="Set the chat's system prompt (kept for later cells)."),
)

context_options = option_group(
    "Notebook context",
    argument(
        "--context",
        type=context_spec,
        metavar="SPEC",
        help="Attach notebook context: cells (the cells above, newest first), cells=N, "
        "outputs, errors (the last exception), vars, or none; joined by commas "
        "(default: AimlMagics.context). @name in the body attaches a variable.",
    ),
)

compare_options = option_group(
    "Comparison",
    argument(
        "--compare",
        metavar="MODELS",
        help="Send the cell to 2 to 6 models at once (ids or aliases separated by commas): "
        "their answers stream side by side above a summary table. Nothing is added to the chat "
        "until an answer is chosen (Use this answer, --keep, or _aiml.choose(MODEL)).",
    ),
    argument(
        "--keep",
        metavar="MODEL",
        help="With --compare: the model whose answer continues the chat (for runners "
        "without widgets).",
    ),
)

generation_options = option_group(
    "Generation parameters",
    *(
        argument(
            *param.flags, dest=param.name, type=bounded(param), help=f"{param.bounds}: {param.help}"
        )
        for param in PARAMS
    ),
    *(
        argument(*choice.flags, dest=choice.name, choices=choice.choices, help=choice.help)
        for choice in CHOICES
    ),
    argument(
        "--json",
        action="store_true",
        help='Ask for {"type": "json_object"}; the parsed JSON becomes _aiml.json.',
    ),
    argument(
        "-p",
        "--param",
        action="append",
        default=[],
        type=parse_param,
        metavar="KEY=VALUE",
        help="Extra request field, repeatable; VALUE is JSON if it parses, else a string.",
    ),
    argument("--no-stream", action="store_true", help="One request without streaming."),
)

answer_options = option_group(
    "The answer",
    argument(
        "--reasoning",
        choices=REASONING_MODES,
        help="How reasoning is shown: show, collapse (default) or hide.",
    ),
    argument(
        "-o",
        "--out",
        metavar="VAR",
        help="Also store the answer text (with --schema: the parsed value) in VAR.",
    ),
    argument(
        "--raw",
        action="store_true",
        help="Send the body as typed: no {name} interpolation, no @name mentions.",
    ),
    argument(
        "--to-cell",
        nargs="?",
        const="python",
        metavar="N|all",
        help="Put the answer's first Python code block (or block N, or all) into a new "
        "cell below, without running it.",
    ),
    argument("--no-panel", action="store_true", help="No parameter panel for this cell."),
)

tool_options = option_group(
    "Tools",
    argument(
        "--tools",
        metavar="FUNCTIONS",
        help="Comma-separated functions the model may call: ones decorated with "
        "@aiml_magics.tool, or any function in the notebook.",
    ),
    argument(
        "--mcp",
        metavar="SERVERS",
        help="Comma-separated MCP servers (from AimlMagics.mcp_config) whose tools the model "
        "may call, named SERVER__TOOL; alone or with --tools.",
    ),
    argument(
        "--mcp-resource",
        action="append",
        default=[],
        metavar="URI",
        help="Attach an MCP resource of the --mcp servers to the prompt, repeatable.",
    ),
    argument(
        "--tool-choice",
        metavar="auto|none|required|NAME",
        help="Whether (or which function) the model must call.",
    ),
    argument(
        "--no-parallel-tool-calls",
        action="store_true",
        help="Send parallel_tool_calls: false (one call at a time).",
    ),
    argument("--confirm-tools", action="store_true", help="Ask before running each call."),
)

input_options = option_group(
    "Images and structured output",
    argument(
        "--image",
        action="append",
        default=[],
        metavar="SRC",
        help="Image to send, repeatable: a PNG/JPEG/GIF/WebP file, an https:// URL, or a "
        "variable holding a matplotlib Figure, PIL image, IPython Image or image bytes.",
    ),
    argument("--image-detail", choices=("low", "high", "auto"), help="Image detail to ask for."),
    argument(
        "--schema",
        metavar="NAME",
        help="Structured output: a dataclass, TypedDict, Enum, pydantic model, typing alias "
        "(list[Person], Literal[...]) or JSON Schema dict from the notebook; the answer is "
        "validated into _aiml.parsed (and -o VAR).",
    ),
)

run_options = option_group(
    "Recording and dry runs",
    argument(
        "--fresh",
        action="store_true",
        help="Ask the service even if a recording could answer (AimlMagics.replay = auto).",
    ),
    argument(
        "--dry-run",
        action="store_true",
        help="Send nothing: show the request body, the context and the estimated cost.",
    ),
)

batch_options = option_group(
    "Batch",
    argument(
        "--over",
        metavar="DATA",
        help="Batch: send the body once per row of DATA (a DataFrame, Series or list in the "
        "notebook); {field} names the row's fields first. -o VAR stores the answers.",
    ),
    argument("--out-col", metavar="NAME", help="Batch: the answer column (default answer)."),
    argument(
        "--concurrency",
        type=int,
        metavar="N",
        help="Batch, evaluation or semantic operator: requests in flight at once (default 8).",
    ),
    argument(
        "--max-credits",
        type=float,
        metavar="N",
        help="Batch, evaluation or semantic operator: stop sending once it has spent N credits.",
    ),
)

eval_options = option_group(
    "Evaluation",
    argument(
        "--eval",
        metavar="DATA",
        help="Evaluate the body (a template over the rows' {fields}) on every row of DATA "
        "with each model of --compare, scored by --metric; shows the summary with 95%% "
        "intervals and the plot. -o VAR gets the Evaluation.",
    ),
    argument(
        "--repeats",
        type=int,
        metavar="N",
        help="Evaluation: ask every row N times (repeat k is sent with seed k+1).",
    ),
    argument(
        "--metric",
        action="append",
        default=[],
        metavar="SPEC",
        help="Evaluation: a score, repeatable (default exact): exact[:COLUMN], "
        "contains[:COLUMN], regex:PATTERN, numeric[:COLUMN[:TOL]], json, judge, pairwise, "
        "or the name of a Metric or function in the notebook.",
    ),
    argument(
        "--judge",
        metavar="MODEL",
        help="Evaluation: the model that scores the judge and pairwise metrics.",
    ),
)

semantic_options = option_group(
    "Semantic operators",
    argument(
        "--filter",
        metavar="DATA",
        help="Keep the rows of the DataFrame DATA that meet the condition in the body "
        "(df.aiml.filter); -o VAR gets the rows kept, with keep and reason.",
    ),
    argument(
        "--classify",
        metavar="DATA",
        help="Label every row of the DataFrame DATA with one of --labels, by the instruction "
        "in the body (df.aiml.classify); -o VAR gets the frame with a label column.",
    ),
    argument("--labels", metavar="A,B,C", help="--classify: the labels, separated by commas."),
)

MAKE_KINDS = ("image", "speech", "video")

make_options = option_group(
    "Images, speech and video",
    argument(
        "--make",
        choices=MAKE_KINDS,
        help="Make an image, speech or a video from the cell's text instead of a chat answer: "
        "shown in the cell, saved in the assets folder, and in _aiml (-m picks a model of "
        "that kind, -p adds request fields).",
    ),
    argument("--size", metavar="WxH", help="--make image: the size in pixels, e.g. 1024x1024."),
    argument("--n", type=int, metavar="N", help="--make image: how many images (1 to 10)."),
    argument("--voice", metavar="VOICE", help="--make speech: the voice to speak with."),
)

ALL_GROUPS = (
    model_options,
    context_options,
    compare_options,
    generation_options,
    answer_options,
    tool_options,
    input_options,
    run_options,
    batch_options,
    eval_options,
    semantic_options,
    make_options,
)


def cell_options(func: Any) -> Any:
    """Every option group of `%%aiml`, in help order."""
    for group in reversed(ALL_GROUPS):
        func = group(func)
    return func

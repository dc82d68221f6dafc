"""`%%aiml` and `%aiml`: the notebook-facing layer, kept thin over `turn.Session`."""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import shlex
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from .api.secret import Secret
from .chat.conversation import Chat, cell_key
from .chat.interpolate import interpolate
from .chat.request import TurnRequest
from .chat.session import Session
from .chat.settings import GENERATION_PARAMS, REASONING_MODES, AimlSettings, check_range
from .codeblocks import fenced_blocks, select_code
from .completion import make_matcher
from .display.live import LiveView
from .display.views import DisplayView, TerminalView
from .subcommands import SubcommandsMixin

RESERVED_FIELDS = {"model", "messages", "stream"}
_SCHEMA_NAME = re.compile(r"^(?:(list)\[)?([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)(?(1)\])$")


def request_metadata(info: Any, shell: Any) -> dict[str, Any]:
    """The execute request's metadata (JupyterLab puts `deletedCells` there)."""
    meta = getattr(info, "cell_meta", None)
    if isinstance(meta, dict):
        return meta
    kernel = getattr(shell, "kernel", None)
    try:
        meta = kernel.get_parent().get("metadata") if kernel is not None else None
    except Exception:
        meta = None
    return meta if isinstance(meta, dict) else {}


def _bounded(name: str):
    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {text!r}") from None
        try:
            return check_range(name, value)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return convert


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
    if key in GENERATION_PARAMS and isinstance(value, (int, float)):
        try:
            value = check_range(key, value)
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


@magics_class
class AimlMagics(SubcommandsMixin, Magics, AimlSettings):
    """Chat with the AI/ML API from notebook cells. Configure with `%config AimlMagics.<trait>`."""

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        self.session = Session(self, shell.user_ns if shell is not None else {})
        self._cell_id: str | None = None
        self._matcher = None
        if shell is not None:
            shell.events.register("pre_run_cell", self._remember_cell)
            shell.events.register("post_run_cell", self._forget_cell)
            self._matcher = make_matcher(self.session, self.aiml_cell.parser)
            shell.Completer.custom_matchers.append(self._matcher)

    def close(self) -> None:
        """Unhook from the shell's events and close the HTTP session."""
        if self.shell is not None:
            for event, hook in (
                ("pre_run_cell", self._remember_cell),
                ("post_run_cell", self._forget_cell),
            ):
                self.shell.events.unregister(event, hook)
            if self._matcher in self.shell.Completer.custom_matchers:
                self.shell.Completer.custom_matchers.remove(self._matcher)
        self.session.close()

    def _remember_cell(self, info: Any) -> None:
        """Note the frontend's cell id, and forget the turns of cells deleted since."""
        self._cell_id = getattr(info, "cell_id", None)
        deleted = request_metadata(info, self.shell).get("deletedCells") or []
        if isinstance(deleted, list):
            self.session.chats.drop_cells([c for c in deleted if isinstance(c, str)])

    def _forget_cell(self, *_: Any) -> None:
        self._cell_id = None

    @magic_arguments()
    @argument(
        "-m", "--model", metavar="MODEL", help="Model id (default: AimlMagics.model, AIML_MODEL)."
    )
    @argument(
        "--compare",
        metavar="MODELS",
        help="Send the cell to 2 to 6 models at once (ids or aliases separated by commas): "
        "their answers stream side by side above a summary table. Nothing is added to the chat "
        "until an answer is chosen (Use this answer, --keep, or _aiml.choose(MODEL)).",
    )
    @argument(
        "--keep",
        metavar="MODEL",
        help="With --compare: the model whose answer continues the chat (for runners "
        "without widgets).",
    )
    @argument("-c", "--chat", default="default", help="Conversation to use (default: default).")
    @argument("--new", action="store_true", help="Clear this chat before sending.")
    @argument(
        "--no-history",
        action="store_true",
        help="Send only the system prompt and this cell; record nothing.",
    )
    @argument("-s", "--system", help="Set the chat's system prompt (kept for later cells).")
    @argument("-t", "--temperature", type=_bounded("temperature"), help="0..2")
    @argument("--top-p", type=_bounded("top_p"), help="0.01..1")
    @argument("--max-tokens", type=_bounded("max_tokens"), help=">= 1")
    @argument("--frequency-penalty", type=_bounded("frequency_penalty"), help="-2..2")
    @argument("--presence-penalty", type=_bounded("presence_penalty"), help="-2..2")
    @argument("--seed", type=_bounded("seed"), help=">= 1")
    @argument(
        "--json",
        action="store_true",
        help='Ask for {"type": "json_object"}; the parsed JSON becomes _aiml.json.',
    )
    @argument(
        "-p",
        "--param",
        action="append",
        default=[],
        type=parse_param,
        metavar="KEY=VALUE",
        help="Extra request field, repeatable; VALUE is JSON if it parses, else a string.",
    )
    @argument("--no-stream", action="store_true", help="One request without streaming.")
    @argument(
        "--reasoning",
        choices=REASONING_MODES,
        help="How reasoning is shown: show, collapse (default) or hide.",
    )
    @argument(
        "-o",
        "--out",
        metavar="VAR",
        help="Also store the answer text (with --schema: the parsed value) in VAR.",
    )
    @argument("--raw", action="store_true", help="No {name} interpolation of the body.")
    @argument(
        "--to-cell",
        nargs="?",
        const="python",
        metavar="N|all",
        help="Put the answer's first Python code block (or block N, or all) into a new "
        "cell below, without running it.",
    )
    @argument("--no-panel", action="store_true", help="No parameter panel for this cell.")
    @argument(
        "--tools",
        metavar="NAMES",
        help="Comma-separated functions the model may call: ones decorated with "
        "@aiml_magics.tool, or any function in the notebook.",
    )
    @argument(
        "--tool-choice",
        metavar="auto|none|required|NAME",
        help="Whether (or which function) the model must call.",
    )
    @argument(
        "--no-parallel-tool-calls",
        action="store_true",
        help="Send parallel_tool_calls: false (one call at a time).",
    )
    @argument("--confirm-tools", action="store_true", help="Ask before running each call.")
    @argument(
        "--image",
        action="append",
        default=[],
        metavar="SRC",
        help="Image to send, repeatable: a PNG/JPEG/GIF/WebP file, an https:// URL, or a "
        "variable holding a matplotlib Figure, PIL image, IPython Image or image bytes.",
    )
    @argument("--image-detail", choices=("low", "high", "auto"), help="Image detail to ask for.")
    @argument(
        "--schema",
        metavar="NAME",
        help="Structured output: a dataclass, TypedDict, Enum, pydantic model, typing alias "
        "(list[Person], Literal[...]) or JSON Schema dict from the notebook; the answer is "
        "validated into _aiml.parsed (and -o VAR).",
    )
    @argument(
        "--fresh",
        action="store_true",
        help="Ask the service even if a recording could answer (AimlMagics.replay = auto).",
    )
    @argument(
        "--dry-run",
        action="store_true",
        help="Send nothing: show the request body, the context and the estimated cost.",
    )
    @argument(
        "--over",
        metavar="DATA",
        help="Batch: send the body once per row of DATA (a DataFrame, Series or list in the "
        "notebook); {field} names the row's fields first. -o VAR stores the answers.",
    )
    @argument("--out-col", metavar="NAME", help="Batch: the answer column (default answer).")
    @argument(
        "--concurrency",
        type=int,
        metavar="N",
        help="Batch: requests in flight at once (default 8).",
    )
    @argument(
        "--max-credits",
        type=float,
        metavar="N",
        help="Batch: stop sending rows once the batch has spent N credits.",
    )
    @cell_magic("aiml")
    def aiml_cell(self, line: str, cell: str) -> None:
        """Send the cell body to the AI/ML API and stream the answer as Markdown.

        The next %%aiml cell continues the same conversation; re-running a cell replaces
        its own turn. `{name}`, `{obj.attr}`, `{In[3]}` in the body are replaced by values
        from the namespace (use `{{name}}` for a literal placeholder, or --raw).

        Examples::

            %%aiml -t 0.3
            Explain what a p-value is, with a short Python example.

            %%aiml -m openai/gpt-4o -c review -o summary
            Summarise this dataframe description: {df_description}
        """
        args = parse_options(self.aiml_cell, line)
        if not cell.strip():
            raise UsageError("the cell is empty: type your message below the %%aiml line")
        compared = self._compared(args)
        out = args.out
        if out is not None and not out.isidentifier():
            raise UsageError(f"-o expects a Python variable name, got {out!r}")
        to_cell = args.to_cell
        if to_cell is not None and not (to_cell in ("python", "all") or to_cell.isdigit()):
            raise UsageError(f"--to-cell takes a block number or 'all', got {to_cell!r}")
        if args.over is not None:
            self._batch(args, cell)
            return
        for option, used in (
            ("--out-col", args.out_col),
            ("--concurrency", args.concurrency),
            ("--max-credits", args.max_credits),
        ):
            if used is not None:
                raise UsageError(f"{option} belongs to a batch: add --over DATA")
        user = cell.strip() if args.raw else interpolate(cell.strip(), self.shell.user_ns)
        offered = self._tools(args)
        schema = self._schema(args)
        pictures = self._images(args)
        if pictures:
            from .chat.images import user_content

            user = user_content(user, pictures, args.image_detail)
        if args.dry_run:  # --new and -s apply to a copy: a dry run changes nothing
            chats = self.session.chats
            known = chats.get(args.chat) if args.chat in chats else None
            system = known.system if known else chats.default_system
            chat = Chat(args.chat, system, list(known.turns) if known else [])
        else:
            chat = self.session.chats.get(args.chat)
        if args.new:
            chat.clear()
        if args.system is not None:
            chat.system = args.system or None
        request = TurnRequest(
            user=user,
            key=cell_key(self._cell_id, f"{args.chat}\n{cell}"),
            chat=args.chat,
            model=args.model,
            params=self._params(args),
            stream=self.stream and not args.no_stream,
            history=not args.no_history,
            json_mode=args.json,
            out_var=out,
            tools=tuple(offered),
            tool_choice=args.tool_choice,
            parallel_tool_calls=False if args.no_parallel_tool_calls else None,
            confirm_tools=args.confirm_tools,
            images=tuple(pictures),
            schema=schema,
            fresh=args.fresh,
        )
        if args.dry_run:
            for model in compared or [None]:
                if model is not None:
                    self._heading(model)
                self._dry_run(dataclasses.replace(request, model=model or request.model), chat)
            return
        reasoning_mode = args.reasoning or self.reasoning
        if compared:
            if pictures:
                self._show_thumbnails(pictures, None)
            self._compare(request, compared, args.keep, reasoning_mode)
            return
        view = self._view(reasoning_mode, tools=bool(offered))
        if pictures:
            self._show_thumbnails(pictures, view)
        if self.panel and not args.no_panel and self._widget_frontend():
            from .widgets.cell_panel import CellPanel

            panel = CellPanel(self, request, reasoning_mode=reasoning_mode)
            panel.show()
            view = panel.watch(view)
        result = self.session.send(request, view)
        if to_cell is not None:
            self._code_to_next_cell(result.text, to_cell)

    def _batch(self, args: argparse.Namespace, cell: str) -> None:
        """`--over DATA`: the body is a template sent once per row (batching.py)."""
        unsupported = [
            option
            for option, used in (
                ("--compare", getattr(args, "compare", None)),
                ("--tools", args.tools is not None),
                ("--tool-choice", args.tool_choice is not None),
                ("--confirm-tools", args.confirm_tools),
                ("-c/--chat", args.chat != "default"),
                ("--new", args.new),
                ("--image", bool(args.image)),
                ("--to-cell", args.to_cell is not None),
                ("--dry-run", args.dry_run),
            )
            if used
        ]
        if unsupported:
            raise UsageError(
                f"{unsupported[0]} does not apply to a batch (--over): each row is one "
                "request with no tools, no comparison and no chat history"
            )
        from .api import errors
        from .batching import _bar_factory, run_batch
        from .chat.batchrun import BatchResult, BatchSpec
        from .chat.interpolate import _MISSING, resolve

        data = resolve(args.over.strip(), self.shell.user_ns) if args.over.strip() else _MISSING
        if data is _MISSING:
            raise UsageError(
                f"--over: there is no {args.over!r} in the notebook; name a DataFrame, Series "
                "or list of rows"
            )
        spec = BatchSpec(
            model=args.model or self.session.settings.effective("model"),
            system=args.system if args.system is not None else self.system_prompt,
            params=self._params(args),
            schema=self._schema(args),
            json_mode=args.json,
            fresh=args.fresh,
        )
        try:
            result = run_batch(
                self.session,
                cell.strip(),
                data,
                spec,
                namespace={} if args.raw else self.shell.user_ns,
                concurrency=8 if args.concurrency is None else args.concurrency,
                max_credits=args.max_credits,
                out_col=args.out_col or "answer",
                bar=_bar_factory(self.shell, self),
            )
        except errors.AimlError as exc:
            if args.out and isinstance(exc.partial, BatchResult):
                self.shell.user_ns[args.out] = exc.partial.data  # nothing is lost
            raise
        if args.out:
            self.shell.user_ns[args.out] = result.data

    def _compared(self, args: argparse.Namespace) -> list[str]:
        """The models of `--compare` (checked with the options that cannot go with it), or []."""
        if args.compare is None:
            if args.keep is not None:
                raise UsageError("--keep MODEL chooses one answer of --compare MODELS; add it")
            return []
        from .chat.compare import parse_models

        try:
            models = parse_models(args.compare)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        clashes = {
            "-m": (args.model is not None, "--compare names the models; drop -m"),
            "--tools": (
                args.tools is not None,
                "--tools cannot be used with --compare: each model would run its own tool loop "
                "and call your functions again and again (side effects repeated, answers not "
                "comparable). Compare without tools, then use -m MODEL --tools",
            ),
            "--to-cell": (
                args.to_cell is not None,
                "--to-cell needs one answer; with --compare choose it first, then take the "
                "code from _aiml.results[MODEL].text",
            ),
            "--keep": (
                args.keep is not None and args.no_history,
                "--keep records an answer, and --no-history records nothing; drop one",
            ),
        }
        for problem, message in clashes.values():
            if problem:
                raise UsageError(message)
        if args.keep is not None and args.keep not in models:
            raise UsageError(f"--keep {args.keep}: it is not among --compare {', '.join(models)}")
        return models

    def _compare(
        self, request: TurnRequest, models: list[str], keep: str | None, reasoning_mode: str
    ) -> None:
        """Stream every model's answer at once (chat/compare.py), shown as a grid of columns
        in widget frontends, else one answer after another; then the summary table."""
        from .api import errors
        from .chat.compare import CompareError, run_comparison

        options = self._view_options(reasoning_mode)
        shown: Any = None
        if self._in_terminal():
            print(f"Comparing {len(models)} models: {', '.join(models)} …", flush=True)
        elif self._widget_frontend():
            from .widgets.compare_grid import CompareGrid

            shown = CompareGrid(models, history=request.history, **options)
        else:
            from .display.compare import CompareDisplay

            shown = CompareDisplay(models, **options)
        if shown is not None:
            shown.show()
        self.last_comparison = shown  # what the last comparison was shown in (tests, panels)
        comparison = run_comparison(
            self.session,
            request,
            models,
            on_tick=shown.tick if shown is not None else None,
            interval=max(0.02, self.update_interval),
        )
        problem = None
        if keep is not None and not comparison.interrupted:
            try:
                comparison.choose(keep)
            except ValueError as exc:
                problem = f"--keep {keep}: {exc}; nothing was added to the conversation"
        if shown is not None:
            shown.final(comparison)
        else:
            import sys

            from .display.compare import print_comparison

            print_comparison(comparison, sys.stdout)
        if comparison.interrupted:
            raise errors.InterruptedError(
                "The comparison was stopped; what was shown is kept, nothing was added to the "
                "conversation."
            )
        self.session.namespace["_aiml"] = comparison
        if request.out_var:
            self.session.namespace[request.out_var] = comparison
        if not comparison.completed():
            raise CompareError("no model answered (each one's error is in the table)")
        if problem:
            raise CompareError(problem)

    def _heading(self, model: str) -> None:
        from IPython.display import display

        from .display.compose import escape_markdown_inline

        if self._in_terminal():
            print(f"=== {model} ===")
            return
        display(
            {"text/markdown": f"### {escape_markdown_inline(model)}", "text/plain": model},
            raw=True,
        )

    def _dry_run(self, request: TurnRequest, chat: Any) -> None:
        from .chat.dryrun import plan
        from .display.dryrun import show_dry_run

        show_dry_run(plan(self.session, request, chat), terminal=self._in_terminal())

    def _tools(self, args: argparse.Namespace) -> list[Any]:
        """The tools a cell offers (checked before anything is sent)."""
        if args.tools is None:
            if args.tool_choice not in (None, "none", "auto") or args.confirm_tools:
                raise UsageError("--tool-choice and --confirm-tools need --tools NAMES")
            return []
        from .chat import tools

        offered = tools.resolve(args.tools, self.shell.user_ns)
        tools.check_choice(args.tool_choice, offered)
        return offered

    def _schema(self, args: argparse.Namespace) -> Any:
        """`--schema NAME` (or `list[NAME]`) resolved in the namespace and checked before
        anything is sent."""
        if args.schema is None:
            return None
        clashes = [
            option
            for option, used in (
                ("--json", args.json),
                ("--tools", args.tools is not None),
                ("-p response_format", any(k == "response_format" for k, _ in args.param)),
            )
            if used
        ]
        if clashes:
            raise UsageError(f"--schema sets the response format itself; drop {clashes[0]}")
        match = _SCHEMA_NAME.match(args.schema.strip())
        if match is None:
            raise UsageError(f"--schema expects a name (or list[NAME]), got {args.schema!r}")
        listed, dotted = match.group(1), match.group(2)
        root, *attributes = dotted.split(".")
        if root not in self.shell.user_ns:
            raise UsageError(
                f"--schema: there is no {root!r} in the notebook; define a dataclass, "
                "TypedDict, Enum, pydantic model or JSON Schema dict with that name"
            )
        target = self.shell.user_ns[root]
        for attribute in attributes:
            if attribute.startswith("_") or not hasattr(target, attribute):
                raise UsageError(f"--schema: {dotted!r} does not name anything")
            target = getattr(target, attribute)
        from .api.schema import OutputSchema

        return OutputSchema.of(list[target] if listed else target, name=args.schema)

    def _images(self, args: argparse.Namespace) -> list[Any]:
        """The cell's `--image` sources, loaded (a bad one stops the cell: nothing sent)."""
        if not args.image:
            if args.image_detail:
                raise UsageError("--image-detail needs --image SRC")
            return []
        from .chat.images import load_all

        return load_all(args.image, self.shell.user_ns)

    def _show_thumbnails(self, pictures: list[Any], view: Any) -> None:
        from IPython.display import display

        from .display.compose import thumbnails_bundle

        bundle = thumbnails_bundle(pictures)
        if self._in_terminal():
            print(bundle["text/plain"])
            return
        display(bundle, raw=True)
        keep = getattr(view, "keep_above", None)
        if keep is not None:
            keep.append(bundle)  # shown again when the answer's pieces are consolidated

    def send_prompt(self, prompt: str, *, chat: str, model: str | None, key_text: str) -> Any:
        """Send a prompt built by a subcommand (e.g. `%aiml fix`) like a cell would."""
        request = TurnRequest(
            user=prompt,
            key=cell_key(self._cell_id, key_text),
            chat=chat,
            model=model,
            params=self.default_params(),
            stream=self.stream,
        )
        return self.session.send(request, self._view(self.reasoning))

    def _code_to_next_cell(self, answer: str, which: str) -> None:
        picked = select_code(fenced_blocks(answer), which)
        if picked is None:
            wanted = "all" if which == "all" else f"block {which}" if which.isdigit() else ""
            print(f"The answer has no {wanted or 'Python'} code block; nothing was inserted.")
            return
        code, description = picked
        self.shell.set_next_input(code.rstrip("\n"), replace=False)
        print(
            f"Put {description} into a new cell below (not run). "
            "Runners without a notebook frontend (nbconvert, nbclient) ignore this."
        )

    def _params(self, args: argparse.Namespace) -> dict[str, Any]:
        params = self.default_params()
        for name, (field, _, _) in GENERATION_PARAMS.items():
            value = getattr(args, name)
            if value is not None:
                params[field] = value
        if args.json:
            params["response_format"] = {"type": "json_object"}
        params.update(dict(args.param))
        return params

    def _view_options(self, reasoning_mode: str) -> dict[str, Any]:
        """What every view of an answer is built with (cell, comparison column)."""
        return {
            "reasoning_mode": reasoning_mode,
            "interval": self.update_interval,
            "allow_remote_images": self.allow_remote_images,
        }

    def _view(self, reasoning_mode: str, *, tools: bool = False) -> Any:
        """Terminal text; settled blocks and a live tail for frontends that show a cell as it
        runs; one display updated in place for runners (nbclient, nbval, nbconvert) and for
        tool loops (their notes arrive between requests)."""
        if self._in_terminal():
            return TerminalView(reasoning_mode=reasoning_mode)
        options = self._view_options(reasoning_mode)
        if self._cell_id is not None and not tools:
            return LiveView(**options)
        return DisplayView(**options)

    def _widget_frontend(self) -> bool:
        """Only frontends that send cell ids (JupyterLab, Notebook 7, VS Code) render widgets;
        nbclient, nbval and nbconvert send none, so they never get stray widget output."""
        if self._cell_id is None or self._in_terminal():
            return False
        try:
            import ipywidgets  # noqa: F401
        except ImportError:
            return False
        return True

    def _in_terminal(self) -> bool:
        return any(cls.__name__ == "TerminalInteractiveShell" for cls in type(self.shell).__mro__)

    @line_magic("aiml")
    def aiml_line(self, line: str) -> Any:
        """Manage chats, models, settings and the key. `%aiml help` lists every subcommand."""
        return self.dispatch_subcommand(line)

    def set_key(self, value: str) -> None:
        """Keep a key in memory for this session (what `%aiml key` does after its prompt)."""
        self.session.typed_key = Secret(value.strip(), "%aiml key") if value.strip() else None

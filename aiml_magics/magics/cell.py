"""`%%aiml` and `%aiml`: the notebook-facing layer, kept thin over `chat.session.Session`.

The options are declared in `options.py`, which of them go together in `rules.py`; the
frontend that shows the cell is chosen once in `frontend.py`; comparisons, batches and
evaluations have their own modules (`compare.py`, `batch.py`, `evaluate.py`), the `%aiml`
subcommands theirs (`handlers.py`, declared in `registry.py`). Both magics show usage
errors one way (`usage.py`).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import kwds, magic_arguments

from ..api.secret import Secret
from ..chat.context import unescape
from ..chat.conversation import Chat, cell_key
from ..chat.interpolate import interpolate
from ..chat.request import TurnRequest
from ..chat.session import Session
from ..chat.settings import AimlSettings
from ..display.style import AnswerStyle
from . import frontend as frontends
from . import inputs, rules
from .completion import make_matcher
from .context import answers_above, notebook_context, request_metadata
from .handlers import SubcommandsMixin
from .mcp import McpSubcommandMixin
from .options import cell_options, parse_options, request_params
from .usage import shows_usage_errors


@dataclass(frozen=True)
class CellMode:
    """A cell that is not one chat answer: the option that turns it on and the module that
    runs it (imported only then)."""

    option: str
    module: str
    function: str

    def handler(self) -> Callable[..., None]:
        return getattr(importlib.import_module(self.module, __package__), self.function)


CELL_MODES = (
    CellMode("eval", ".evaluate", "eval_cell"),
    CellMode("make", ".make", "make_cell"),
    CellMode("filter", ".semantic", "semantic_cell"),
    CellMode("classify", ".semantic", "semantic_cell"),
    CellMode("over", ".batch", "over_cell"),
)


def restart_notice(magics: Any, chat: str) -> list[str]:
    """What to tell when the notebook shows answers of `chat` that this kernel never had."""
    lost = answers_above(magics, chat, tuple(mode.option for mode in CELL_MODES))
    if not lost:
        return []
    name = "" if chat == magics.aiml_cell.parser.get_default("chat") else f" {chat!r}"
    return [
        f"this chat{name} starts fresh: the {lost} answer(s) above are from before a kernel "
        "restart and are not sent. Re-run their cells to rebuild it, or carry a chat over a "
        "restart with %aiml export PATH.json before and %aiml import PATH.json after"
    ]


@magics_class
class AimlMagics(SubcommandsMixin, McpSubcommandMixin, Magics, AimlSettings):
    """Chat with the AI/ML API from notebook cells. Configure with `%config AimlMagics.<trait>`."""

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        self.session = Session(self, shell.user_ns if shell is not None else {})
        self.on_screen = frontends.OnScreen()
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

    def _extension_sent(self) -> bool:
        """Whether the JupyterLab extension ran this cell (it sends the notebook along), so
        the panel's Stop button can interrupt the kernel."""
        from ..chat.context import NOTEBOOK_KEY

        return NOTEBOOK_KEY in request_metadata(None, self.shell)

    def _forget_cell(self, *_: Any) -> None:
        self._cell_id = None

    def frontend(self, reasoning: str | None = None) -> frontends.Frontend:
        """The frontend of the running cell, with its answer style (once per cell)."""
        style = AnswerStyle.of(self, reasoning)
        return frontends.choose(self.shell, self._cell_id, style, self.on_screen)

    # The widgets last shown live in `on_screen`; these names read them.
    last_panel = property(lambda self: self.on_screen.last_panel)
    last_session_panel = property(lambda self: self.on_screen.last_session_panel)
    last_comparison = property(lambda self: self.on_screen.last_comparison)

    @magic_arguments(name="%aiml")  # the usage line reads %%aiml
    @kwds(epilog=rules.help_section())
    @cell_options
    @cell_magic("aiml")
    @shows_usage_errors
    def aiml_cell(self, line: str, cell: str) -> None:
        """Send the cell body to the AI/ML API and stream the answer as Markdown.

        The next %%aiml cell continues the same conversation; re-running a cell replaces
        its own turn. `{name}`, `{obj.attr}`, `{In[3]}` in the body are replaced by values
        from the namespace (use `{{name}}` for a literal placeholder, or --raw). `@name`
        attaches a description of a variable (`@@` is a literal @); --context attaches
        cells, outputs, the last error or the variables (shown under the answer).

        Examples::

            %%aiml -t 0.3
            Explain what a p-value is, with a short Python example.

            %%aiml -m openai/gpt-4o -c review -o summary
            Summarise this dataframe description: {df_description}

            %%aiml --context cells=3,errors
            Why does @df have missing prices?
        """
        args = parse_options(self.aiml_cell, line)
        if not cell.strip():
            raise UsageError("the cell is empty: type your message below the %%aiml line")
        rules.check(args)
        compared = inputs.compared_models(args)
        inputs.check_values(args)
        frontend = self.frontend(args.reasoning)
        mode = next((m for m in CELL_MODES if getattr(args, m.option) is not None), None)
        if mode is not None:  # not one chat answer: an evaluation, a file, rows
            mode.handler()(self, frontend, args, cell)
            return
        request, chat = self._request(args, cell)
        if args.dry_run:
            self._dry_run(frontend, request, chat, compared)
            return
        if compared:
            from .compare import compare_cell

            if request.images:
                frontend.thumbnails(list(request.images))
            compare_cell(self.session, frontend, request, compared, args.keep)
            return
        view = frontend.answer_view(tools=bool(request.tools))
        if request.images:
            frontend.thumbnails(list(request.images), view)
        if self.panel and not args.no_panel:
            view = frontend.cell_panel(
                self.session, request, view, self.shell.events, stoppable=self._extension_sent()
            )
        result = self.session.send(request, view)
        if args.to_cell is not None:
            inputs.code_to_next_cell(self.shell, result.text, args.to_cell)

    def _request(self, args: argparse.Namespace, cell: str) -> tuple[TurnRequest, Chat]:
        """The cell's turn, and its chat (a copy for a dry run: it changes nothing)."""
        namespace = self.shell.user_ns
        body = cell.strip()
        spec = args.context if args.context is not None else self.context
        context = notebook_context(self, "" if args.raw else body, spec)
        user = body if args.raw else interpolate(unescape(body), namespace)
        user = context.prepend_to(user)
        offered, notices = inputs.offered_tools(args, namespace, self.session)
        schema = inputs.output_schema(args, namespace)
        pictures = inputs.images(args, namespace)
        attached, resource_images = inputs.mcp_resources(args, self.session)
        if attached:
            user = f"{user}\n\n{attached}"
            pictures += resource_images
        if pictures:
            from ..chat.images import user_content

            user = user_content(user, pictures, args.image_detail)
        chat = self._chat(args)
        if args.new:
            chat.clear()
        elif not chat.turns and not args.dry_run:
            notices += restart_notice(self, args.chat)
        if args.system is not None:
            chat.system = args.system or None
        request = TurnRequest(
            user=user,
            key=cell_key(self._cell_id, f"{args.chat}\n{cell}"),
            chat=args.chat,
            model=args.model,
            params=request_params(self.default_params(), args),
            stream=self.stream and not args.no_stream,
            history=not args.no_history,
            json_mode=args.json,
            out_var=args.out,
            tools=tuple(offered),
            tool_choice=args.tool_choice,
            parallel_tool_calls=False if args.no_parallel_tool_calls else None,
            confirm_tools=args.confirm_tools,
            notices=tuple(notices),
            images=tuple(pictures),
            schema=schema,
            context=context or None,
            fresh=args.fresh,
        )
        return request, chat

    def _chat(self, args: argparse.Namespace) -> Chat:
        chats = self.session.chats
        if not args.dry_run:
            return chats.get(args.chat)
        known = chats.get(args.chat) if args.chat in chats else None  # --new, -s: on a copy
        system = known.system if known else chats.default_system
        return Chat(args.chat, system, list(known.turns) if known else [])

    def _dry_run(
        self, frontend: frontends.Frontend, request: TurnRequest, chat: Chat, models: list[str]
    ) -> None:
        from ..chat.dryrun import plan

        for model in models or [None]:
            if model is not None:
                frontend.heading(model)
            one = dataclasses.replace(request, model=model or request.model)
            frontend.dry_run(plan(self.session, one, chat))

    def send_prompt(
        self, prompt: str, *, chat: str, model: str | None, key_text: str, context: Any = None
    ) -> Any:
        """Send a prompt built by a subcommand (e.g. `%aiml fix`) like a cell would;
        `context` is the notebook context already at its start (shown under the answer)."""
        request = TurnRequest(
            user=prompt,
            key=cell_key(self._cell_id, key_text),
            chat=chat,
            model=model,
            params=self.default_params(),
            stream=self.stream,
            context=context or None,
        )
        return self.session.send(request, self.frontend().answer_view())

    @line_magic("aiml")
    @shows_usage_errors
    def aiml_line(self, line: str) -> Any:
        """Manage chats, models, settings and the key. `%aiml help` lists every subcommand."""
        return self.dispatch_subcommand(line)

    def set_key(self, value: str) -> None:
        """Keep a key in memory for this session (what `%aiml key` does after its prompt)."""
        self.session.typed_key = Secret(value.strip(), "%aiml key") if value.strip() else None

"""The one path that sends a turn: context, request, stream into a view, record on success.

The cell magic calls it today; the parameter panel's Regenerate button and the tool loop
are meant to call the same `Session.send`, so requests are built in exactly one place.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from . import errors
from .compose import DONE, INCOMPLETE, INTERRUPTED, STOPPED
from .config import AimlSettings, Secret, key_from_environment
from .conversation import ChatStore, Turn, UsageTotals
from .render import AnswerView
from .result import ChatResult

if TYPE_CHECKING:
    from .client import AimlClient

log = logging.getLogger(__name__)


@dataclass
class TurnRequest:
    """Everything one `%%aiml` cell (or a regeneration of it) asks for."""

    user: Any
    key: str
    chat: str = "default"
    model: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    stream: bool = True
    history: bool = True
    json_mode: bool = False
    out_var: str | None = None
    tools: tuple[Any, ...] = ()  # tools.Tool, offered to the model (the loop runs them)
    tool_choice: str | None = None
    parallel_tool_calls: bool | None = None
    confirm_tools: bool = False
    images: tuple[Any, ...] = ()  # images.Image sent with `user` (their parts are in it)


class Session:
    """Per-kernel state: settings, chats, usage totals, the key and a cached client."""

    def __init__(self, settings: AimlSettings, namespace: dict[str, Any] | None = None) -> None:
        self.settings = settings
        self.namespace = namespace if namespace is not None else {}
        self.chats = ChatStore(default_system=settings.system_prompt)
        self.totals: dict[str, UsageTotals] = {}
        self.typed_key: Secret | None = None
        self._client: AimlClient | None = None
        self._client_signature: tuple | None = None
        self.listeners: list[Callable[[ChatResult], None]] = []  # told of every answer
        self._model_names: list[str] | None = None
        self._model_fetch: threading.Thread | None = None

    def key(self) -> Secret | None:
        return self.typed_key or key_from_environment()

    def client(self) -> AimlClient:
        """A client for the current key and settings; rebuilt only when they change."""
        key = self.key()
        s = self.settings
        signature = (
            key.reveal() if key else None,
            s.effective("base_url"),
            s.max_retries,
            s.connect_timeout,
            s.read_timeout,
        )
        if self._client is None or signature != self._client_signature:
            from .client import AimlClient

            if self._client is not None:
                self._client.close()
            self._client = AimlClient(
                key,
                signature[1],
                max_retries=s.max_retries,
                connect_timeout=s.connect_timeout,
                read_timeout=s.read_timeout,
            )
            self._client_signature = signature
        return self._client

    def model_names(self, wait: float = 0.3) -> list[str]:
        """Model ids and aliases for completion: fetched once, in the background.

        The completer calls this while the user waits for TAB, so it waits at most `wait`
        seconds and otherwise answers with nothing (the list is there on the next TAB).
        """
        if self._model_names is None and self._model_fetch is None:
            base_url = self.settings.effective("base_url")
            self._model_fetch = threading.Thread(
                target=self._fetch_model_names, args=(base_url,), daemon=True
            )
            self._model_fetch.start()
        if self._model_names is None and self._model_fetch is not None:
            self._model_fetch.join(wait)
        return self._model_names or []

    def remember_models(self, models: list[Any]) -> None:
        self._model_names = sorted({n for m in models for n in (m.id, *m.aliases)})

    def _fetch_model_names(self, base_url: str) -> None:
        from .client import AimlClient

        client = AimlClient(None, base_url, max_retries=0, connect_timeout=3, read_timeout=5)
        try:
            models = client.models()
        except Exception:  # completion must never raise; the next TAB tries again
            self._model_fetch = None
            return
        finally:
            client.close()
        self.remember_models(models)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def send(self, request: TurnRequest, view: AnswerView) -> ChatResult:
        """Send one turn and show it in `view`; the chat changes only if the answer completed."""
        chat = self.chats.get(request.chat)
        offered = [t.name for t in request.tools]
        context = chat.context(
            request.key,
            request.user,
            self.settings.context_tokens,
            history=request.history,
            tools=offered,
        )
        if context.dropped:
            view.notice(
                f"{context.dropped} earlier turn(s) left out to fit the context budget "
                f"(AimlMagics.context_tokens = {self.settings.context_tokens})"
            )
        model = request.model or self.settings.effective("model")
        client = self.client()
        client.on_retry = lambda notice: view.notice(str(notice))
        if request.tools:
            result = self._tool_loop(client, view, context.messages, model, request)
        else:
            result = self._exchange(client, view, context.messages, model, request)

        if request.json_mode:
            result.json = parse_json_answer(result.text)
        when = datetime.now(timezone.utc).isoformat(timespec="seconds")
        metadata = {"aiml": {**result.provenance(), "chat": request.chat, "time": when}}
        view.finish(result, DONE, metadata)
        if request.history:
            chat.record(Turn.from_result(request.key, request.user, result, tools=offered))
        self.namespace["_aiml"] = result
        if request.out_var:
            self.namespace[request.out_var] = result.text
        for listener in list(self.listeners):
            try:
                listener(result)
            except Exception as exc:  # a broken panel must not break a finished cell
                log.warning("aiml-magics: an answer listener failed: %s", exc)
        return result

    def _exchange(
        self,
        client: AimlClient,
        view: AnswerView,
        messages: list[dict[str, Any]],
        model: str,
        request: TurnRequest,
        params: dict[str, Any] | None = None,
    ) -> ChatResult:
        params = request.params if params is None else params
        stream = None
        try:
            if not request.stream:
                result = client.chat(messages, model=model, **params)
            else:
                stream = client.stream(messages, model=model, **params)
                accumulated = stream.accumulator
                for _ in stream:
                    view.update(accumulated.text, accumulated.reasoning)
                result = stream.result()
        except KeyboardInterrupt:
            partial = self._partial(stream)
            view.finish(partial, INTERRUPTED, None)
            raise errors.InterruptedError(
                "The answer was stopped; what was shown is kept but not added to the conversation."
            ) from None
        except errors.StreamError:
            view.finish(self._partial(stream), INCOMPLETE, None)
            raise
        finally:
            if stream is not None:
                stream.close()
        # Keyed by the id the user asked for, not the upstream id the service reports.
        self.totals.setdefault(model, UsageTotals()).add(result)
        return result

    def _tool_loop(
        self,
        client: AimlClient,
        view: AnswerView,
        messages: list[dict[str, Any]],
        model: str,
        request: TurnRequest,
    ) -> ChatResult:
        """Send, run the calls the model asks for, send their results, until it answers."""
        from . import tools

        offered = {t.name: t for t in request.tools}
        params = {
            **request.params,
            **tools.tool_params(request.tools, request.tool_choice, request.parallel_tool_calls),
        }
        confirm = tools.confirm_call if request.confirm_tools else None
        limit = max(0, self.settings.max_tool_rounds)
        results: list[ChatResult] = []
        runs: list[tools.ToolRun] = []
        exchange: list[dict[str, Any]] = []
        while True:
            if results and request.tool_choice not in (None, "auto", "none"):
                # `required` or a named function applies to the first request only; forcing
                # it again would make the model call tools until max_tool_rounds.
                params.pop("tool_choice", None)
            result = self._exchange(client, view, messages + exchange, model, request, params)
            results.append(result)
            if not result.tool_calls:
                return tools.combine(results, runs, exchange, offered)
            round_number = len(results)
            if round_number > limit:
                combined = tools.combine(results, runs, exchange, offered)
                self.namespace["_aiml"] = combined
                message = (
                    f"the model still asked for tools after {limit} round(s) "
                    f"(AimlMagics.max_tool_rounds = {limit}); stopped without an answer, "
                    "nothing was added to the conversation"
                )
                view.notice(f"⏹ {message}")
                view.finish(combined, STOPPED, None)
                raise errors.ToolError(message)
            exchange.append(tools.assistant_message(result))
            for call in result.tool_calls:
                view.notice(
                    f"🔧 round {round_number}: {tools.call_line(call.name, call.arguments)}"
                )
                try:
                    run = tools.run_call(call, offered, round_number=round_number, confirm=confirm)
                except KeyboardInterrupt:
                    view.finish(tools.combine(results, runs, exchange, offered), INTERRUPTED, None)
                    raise errors.InterruptedError(
                        f"The tool {call.name} was interrupted; the cell stopped and the "
                        "conversation is unchanged."
                    ) from None
                runs.append(run)
                view.notice(f"↳ {run.summary()}")
                exchange.append(run.message())

    @staticmethod
    def _partial(stream: Any) -> ChatResult | None:
        if stream is None:
            return None
        return stream.result(complete=False)


_FENCED_JSON = re.compile(r"^\s*```(?:json)?\s*\n(.*)\n```\s*$", re.DOTALL)


def parse_json_answer(text: str) -> Any:
    """The answer as JSON (a surrounding code fence is tolerated); None if it is not JSON."""
    match = _FENCED_JSON.match(text)
    try:
        return json.loads(match.group(1) if match else text)
    except ValueError:
        return None

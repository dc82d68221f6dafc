"""The one send path: context, request, stream into a view, record on success.

The cell magic, Regenerate, `%aiml fix` and the tool loop all come through `send_turn`, so
requests are built, streamed and ended in exactly one place. `_settle` is the only caller of
a view's `finish`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..api import errors
from ..api.result import ChatResult
from ..api.retry import RetryNotice
from ..api.schema.answer import parse_json_answer
from .cancel import received, stopped
from .conversation import Chat, Turn
from .publish import publish, tell_listeners
from .request import TurnRequest, request_id_for
from .view import AnswerView, Status

if TYPE_CHECKING:
    from ..api.client import AimlClient
    from .cancel import Cancel
    from .sender import Sender


def send_turn(
    session: Sender,
    request: TurnRequest,
    view: AnswerView,
    *,
    record: bool = True,
    cancel: Cancel | None = None,
    ask: Callable[[str], str] | None = None,
) -> ChatResult:
    """Send one turn and show it in `view`; the chat changes only if the answer completed.

    `record=False` (a column of a comparison) sends and shows exactly the same way but
    leaves the chat, `_aiml`, `-o` and the listeners alone: the caller records the answer
    the user chooses. `cancel` lets another thread stop the send (a kernel interrupt reaches
    only the main thread); `ask` is how the budget asks for confirmation (default `input`).
    """
    if request.row:
        return _send_row(session, request, view, cancel=cancel)
    chat = session.chats.get(request.chat)
    offered = [t.name for t in request.tools]
    for notice in (*request.notices, *session.model_notes(request)):
        view.notice(f"⚠ {notice}")
    messages = _context_messages(session, request, view, chat, offered)
    try:
        result = _answer(session, request, view, messages, cancel=cancel, ask=ask)
    except errors.AimlError as exc:
        _failed(session, view, exc, publish_partial=record)
        raise

    if request.json_mode:
        result.json = parse_json_answer(result.text)
    if request.context:
        result.context = request.context.summary()
    when = datetime.now(timezone.utc).isoformat(timespec="seconds")
    metadata = {"aiml": {**result.provenance(), "chat": request.chat, "time": when}}
    _settle(view, result, Status.DONE, metadata)
    if record:
        _keep(session, request, chat, result, offered)
    return result


def _context_messages(
    session: Sender, request: TurnRequest, view: AnswerView, chat: Chat, offered: list[str]
) -> list[dict[str, Any]]:
    """The chat so far (as much as fits the context budget) and the new prompt; the view
    is told when earlier turns were left out."""
    context = chat.context(
        request.key,
        request.user,
        session.settings.context_tokens,
        history=request.history,
        tools=offered,
    )
    if context.dropped:
        view.notice(
            f"{context.dropped} earlier turn(s) left out to fit the context budget "
            f"(AimlMagics.context_tokens = {session.settings.context_tokens})"
        )
    return context.messages


def _failed(
    session: Sender, view: AnswerView, error: errors.AimlError, *, publish_partial: bool
) -> None:
    """End the view on a failure and keep the error for `%aiml last-error`; a tool loop
    stopped at its limit or an answer that never fit the schema is still published (not
    recorded in the chat), so what it cost can be read."""
    session.last_error = error  # its whole text for `%aiml last-error`
    _settle(view, error.partial, _status_of(error))
    if (
        publish_partial
        and error.partial is not None
        and isinstance(error, (errors.ToolError, errors.SchemaAnswerError))
    ):
        publish(session.namespace, error.partial)


def _keep(
    session: Sender, request: TurnRequest, chat: Chat, result: ChatResult, offered: list[str]
) -> None:
    """A completed answer joins the chat (unless `--no-history`), `_aiml`, `-o` and the
    listeners."""
    if request.history:
        chat.record(Turn.from_result(request.key, request.user, result, tools=offered))
    publish(
        session.namespace,
        result,
        out_var=request.out_var,
        out_value=result.text if request.schema is None else result.parsed,
    )
    tell_listeners(session.listeners, result)


def _answer(
    session: Sender,
    request: TurnRequest,
    view: AnswerView,
    messages: list[dict[str, Any]],
    *,
    cancel: Cancel | None = None,
    ask: Callable[[str], str] | None = None,
) -> ChatResult:
    model = session.settings.resolve_model(request.model)
    client = session.client()
    replay = session.replay(request)
    sending = _Sending(session, client, view, model, request, replay, cancel, ask)
    if sending.replay is not None and sending.replay.mode == "only" and request.fresh:
        view.notice("--fresh is ignored: AimlMagics.replay is 'only', so nothing is sent")
    if request.schema is not None:
        return _structured(sending, messages)
    if request.tools:
        return _tool_loop(sending, messages)
    return _exchange(sending, messages)


def _send_row(
    session: Sender, request: TurnRequest, view: AnswerView, *, cancel: Cancel | None = None
) -> ChatResult:
    """One row of a batch: its own system prompt and the row's prompt, nothing recorded in
    a chat or the namespace; the same requests, replay, budget and usage as a cell."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": request.user}]
    if request.system:
        messages.insert(0, {"role": "system", "content": request.system})
    try:
        result = _answer(session, request, view, messages, cancel=cancel)
    except errors.AimlError as exc:
        _failed(session, view, exc, publish_partial=False)  # a row is never published
        raise
    if request.json_mode:
        result.json = parse_json_answer(result.text)
    _settle(view, result, Status.DONE)
    return result


KEPT_NOT_ADDED = "What was shown is kept but not added to the conversation."


def _settle(
    view: AnswerView, result: ChatResult | None, status: Status, metadata: dict | None = None
) -> None:
    """The one place an answer ends: every sender's view hears exactly one `finish`."""
    view.finish(result, status, metadata)


def _status_of(error: errors.AimlError) -> Status:
    if isinstance(error, errors.StoppedError):
        return Status.INTERRUPTED
    if isinstance(error, errors.StreamError):
        return Status.INCOMPLETE
    if isinstance(error, errors.ToolError) and error.partial is not None:
        return Status.STOPPED
    if isinstance(error, errors.SchemaAnswerError):
        return Status.INVALID
    return Status.FAILED


@dataclass(frozen=True)
class _Sending:
    """One turn on its way: who sends it, through which client, shown where."""

    session: Sender
    client: AimlClient
    view: AnswerView
    model: str
    request: TurnRequest
    replay: Any = None  # replay.Replay, or None when replay is off
    cancel: Cancel | None = None  # set by another thread: stop (a comparison's interrupt)
    ask: Callable[[str], str] | None = None  # the budget's confirmation question

    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()


def _exchange(
    sending: _Sending, messages: list[dict[str, Any]], params: dict[str, Any] | None = None
) -> ChatResult:
    """One request; a failure carries what was received so far (`error.partial`)."""
    client, view, model, request = sending.client, sending.view, sending.model, sending.request
    params = request.params if params is None else params
    replayed, canonical = _replayed(sending, messages, params)
    if replayed is not None:
        return replayed
    from . import budget
    from .estimate import cached_prefix

    ask = (
        budget.row_cannot_ask
        if request.row and sending.ask is None
        else budget.asking(view, sending.ask)
    )
    cached = cached_prefix(sending.session, request, model)
    budget.check(sending.session, client, model, messages, params, ask=ask, cached_tokens=cached)
    request_id = request_id_for(request.key)

    on_retry = _retry_listener(sending)
    stream = None
    cancel = sending.cancel
    try:
        if sending.cancelled():
            raise KeyboardInterrupt
        if not request.stream:
            result = client.chat(
                messages, model=model, on_retry=on_retry, client_request_id=request_id, **params
            )
        else:
            stream = client.stream(
                messages, model=model, on_retry=on_retry, client_request_id=request_id, **params
            )
            if cancel is not None:
                cancel.attach(stream)
            accumulated = stream.accumulator
            for _ in stream:
                if sending.cancelled():
                    raise KeyboardInterrupt
                view.update(accumulated.text, accumulated.reasoning)
            result = stream.result()
    except KeyboardInterrupt:
        raise stopped(stream) from None
    except Exception as exc:
        if sending.cancelled():  # the response was closed under the reader: a stop, not a fault
            raise stopped(stream) from None
        if isinstance(exc, errors.StreamError):
            exc.partial = exc.partial or received(stream)
        elif isinstance(exc, errors.AimlError) and exc.partial is None:
            shown = received(stream)  # an error event mid-stream: what came before it is kept
            if shown is not None and (shown.text or shown.reasoning):
                exc.partial = shown
                exc.hint = " ".join(filter(None, [exc.hint, KEPT_NOT_ADDED]))
        raise
    finally:
        if cancel is not None:
            cancel.detach()
        if stream is not None:
            stream.close()
    # Keyed by the id the user asked for, not the upstream id the service reports.
    sending.session.record_usage(model, result)
    if canonical is not None and sending.replay.records and result.complete:
        _record(sending, canonical, result)
    return result


def _retry_listener(sending: _Sending) -> Callable[[RetryNotice], None]:
    """What a retry tells: the view (and a batch row's pace); a stop ends the waiting."""

    def on_retry(notice: RetryNotice) -> None:
        if sending.cancelled():
            raise KeyboardInterrupt  # stopped while waiting to retry: do not send again
        heard = getattr(sending.view, "retrying", None)  # a batch row's view adapts its pace
        if heard is not None:
            heard(notice)
        # A status line shows the wait while it lasts; a view without one keeps it as a note.
        tell = getattr(sending.view, "waiting", None) or sending.view.notice
        tell(str(notice))

    return on_retry


def _structured(sending: _Sending, messages: list[dict[str, Any]]) -> ChatResult:
    """Structured output on this path: validated, repaired, or the json_object fallback
    (`api.schema.answer_with_schema` decides; every request goes through `_exchange`)."""
    from ..api.schema import answer_with_schema

    client, model = sending.client, sending.model
    return answer_with_schema(
        lambda body, params: _exchange(sending, body, params),
        messages,
        sending.request.params,
        sending.request.schema,
        retries=sending.session.settings.schema_retries,
        native=client.structured_output(model),
        notice=sending.view.notice,
        on_refused=lambda: client.no_structured_output.add(model),
    )


def _replayed(
    sending: _Sending, messages: list[dict[str, Any]], params: dict[str, Any]
) -> tuple[ChatResult | None, dict[str, Any] | None]:
    """The recorded answer to this one request, shown at once; or None and its canonical
    form (to record the live answer under), or (None, None) when replay is off."""
    replay = sending.replay
    if replay is None:
        return None, None
    from .replay import canonical_request

    canonical = canonical_request(sending.model, messages, params)
    try:
        found = replay.lookup(canonical)
    finally:
        warning = replay.store.take_warning()
        if warning:
            sending.view.notice(warning)
    if found is None:
        return None, canonical
    result = found.result(sending.model)
    sending.view.update(result.text, result.reasoning)
    sending.session.record_saved(sending.model, result)
    return result, canonical


def _record(sending: _Sending, canonical: dict[str, Any], result: ChatResult) -> None:
    """Keep the answer for replay; a file that cannot be written never fails the cell."""
    try:
        sending.replay.record(canonical, result, cell=sending.replay.label)
    except OSError as exc:
        sending.view.notice(
            f"⚠ the answer was not recorded: {sending.replay.store.path}: {exc.strerror or exc}"
        )


def _tool_loop(sending: _Sending, messages: list[dict[str, Any]]) -> ChatResult:
    """Send, run the calls the model asks for, send their results, until it answers."""
    from . import tools

    view, request = sending.view, sending.request
    offered = {t.name: t for t in request.tools}
    params = first_params(request)
    confirm = tools.confirm_call if request.confirm_tools else None
    limit = max(0, sending.session.settings.max_tool_rounds)
    results: list[ChatResult] = []
    runs: list[tools.ToolRun] = []
    exchange: list[dict[str, Any]] = []
    while True:
        if results and request.tool_choice not in (None, "auto", "none"):
            # `required` or a named function applies to the first request only; forcing
            # it again would make the model call tools until max_tool_rounds.
            params.pop("tool_choice", None)
        try:
            result = _exchange(sending, messages + exchange, params)
        except errors.AimlError as exc:
            if results and exc.partial is None:
                exc.partial = tools.combine(results, runs, exchange, offered)
            raise
        results.append(result)
        if not result.tool_calls:
            return tools.combine(results, runs, exchange, offered)
        round_number = len(results)
        if round_number > limit:
            message = (
                f"the model still asked for tools after {limit} round(s) "
                f"(AimlMagics.max_tool_rounds = {limit}); stopped without an answer, "
                "nothing was added to the conversation"
            )
            raise errors.ToolError(message, partial=tools.combine(results, runs, exchange, offered))
        exchange.append(tools.assistant_message(result))
        first_of_round = len(runs)
        for call in result.tool_calls:
            view.notice(f"⚙ round {round_number}: {tools.call_line(call.name, call.arguments)}")
            try:
                run = tools.run_call(call, offered, round_number=round_number, confirm=confirm)
            except KeyboardInterrupt:
                raise errors.StoppedError(
                    f"The tool {call.name} was interrupted; the cell stopped and the "
                    "conversation is unchanged.",
                    partial=tools.combine(results, runs, exchange, offered),
                ) from None
            runs.append(run)
            view.notice(f"↳ {run.summary()}")
            exchange.append(run.message())
        tools.add_images(
            runs[first_of_round:], exchange, lambda: sending.client.vision(sending.model), view
        )


def first_params(request: TurnRequest) -> dict[str, Any]:
    """The request fields of a turn's first request (with the tools it offers)."""
    if not request.tools:
        return dict(request.params)
    from . import tools

    return {
        **request.params,
        **tools.tool_params(request.tools, request.tool_choice, request.parallel_tool_calls),
    }

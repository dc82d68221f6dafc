"""`%aiml panel`: the session defaults as controls, the chats, and the usage totals.

A control sets its trait the way `%config AimlMagics.<trait> = value` does (so `%aiml config`
reports it as coming from %config); an empty box is None, which is not sent. The chats and
usage refresh after every answer through `Session.listeners`, held weakly so a panel that
was closed and dropped does not stay registered.
"""

from __future__ import annotations

import html
import logging
import threading
import weakref
from collections.abc import Callable
from functools import partial
from typing import Any

import ipywidgets as widgets
from traitlets.config import Config

from ..api.errors import AimlError
from ..chat import budget
from ..chat.conversation import USAGE_HEADERS
from .controls import CHOICE_CONTROLS, NUMBER_CONTROLS, ParameterControls, format_number
from .fallback import widget_bundle
from .status_line import set_text, text_line

log = logging.getLogger(__name__)

SESSION_PLAIN = "[aiml session panel: defaults, chats and usage, live while the kernel runs]"
# What a saved notebook shows in its place: the controls are live only, the figures are not.
SESSION_MARKDOWN = (
    "*The aiml session panel (session defaults, chats, usage, budget) is live only while its "
    "kernel runs: `%aiml panel` opens it again, `%aiml usage` prints the usage.*"
)
TRAITS = ("model", *NUMBER_CONTROLS, *CHOICE_CONTROLS, "stream", "budget_credits")


class WeakCallback:
    """Calls a bound method while its object lives; afterwards asks `forget` to drop it."""

    def __init__(self, method: Callable[..., Any], forget: Callable[[WeakCallback], None]) -> None:
        self._method = weakref.WeakMethod(method)
        self._forget = forget

    def __call__(self, *args: Any) -> None:
        method = self._method()
        if method is None:
            self._forget(self)
        else:
            method(*args)


def usage_html(totals: dict[str, Any]) -> str:
    """The `%aiml usage` table as escaped HTML (model names come from the service)."""
    if not totals:
        return "<i>No requests yet.</i>"
    rows = []
    for model, t in totals.items():
        cells = t.row(model)
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    header = "<tr>" + "".join(f"<th>{h}</th>" for h in USAGE_HEADERS) + "</tr>"
    return f"<table>{header}{''.join(rows)}</table>"


class SessionPanel:
    """Session defaults, chats with reset buttons, and usage totals."""

    def __init__(self, magics: Any, *, on_screen: Any) -> None:
        self.magics = magics  # the settings this panel changes (a traitlets Configurable)
        self.on_screen = on_screen  # where the magics find the panels they showed
        self.controls = ParameterControls(
            model=magics.resolve_model(None),
            params=magics.default_params(),
            stream=magics.stream,
            model_names=magics.session.model_names(wait=0),
        )
        self.status = text_line("Changes apply to the next cells, like %config.")
        self.chats = widgets.VBox()
        self.reset_buttons: dict[str, widgets.Button] = {}
        self._rows: list[widgets.Widget] = []
        self.usage = widgets.HTML()
        self.budget = widgets.Text(
            value=budget_text(magics.budget_credits),
            description="budget",
            placeholder="credits (empty: no limit)",
            tooltip="AimlMagics.budget_credits: 2,000,000 credits = $1",
        )
        self.budget.observe(partial(self._control_changed, "budget_credits"), names="value")
        self.budget_status = text_line()
        self.balance = text_line()
        set_text(self.balance, "Balance: asking the service…")
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self.refresh_button.on_click(lambda _button: self.refresh())
        self._syncing = False

        boxes = {"model": self.controls.model, **self.controls.numbers, **self.controls.choices}
        boxes["stream"] = self.controls.stream
        for name, box in boxes.items():
            box.observe(partial(self._control_changed, name), names="value")
        listeners = magics.session.listeners
        self._listener = WeakCallback(self._answered, lambda cb: _discard(listeners, cb))
        listeners.append(self._listener)
        self._observer = WeakCallback(
            self._trait_changed, lambda cb: magics.unobserve(cb, names=list(TRAITS))
        )
        magics.observe(self._observer, names=list(TRAITS))

        title = widgets.HTML
        self.widget = widgets.VBox(
            [
                title("<b>aiml session defaults</b>"),
                self.controls.widget,
                self.status,
                title("<b>Chats</b>"),
                self.chats,
                title("<b>Usage this session</b>"),
                self.usage,
                self.budget,
                self.budget_status,
                self.balance,
                self.refresh_button,
            ]
        )
        self.refresh()
        self.balance_fetch = threading.Thread(target=self._fetch_balance, daemon=True)
        self.balance_fetch.start()

    def _fetch_balance(self) -> None:
        """Once per panel, in the background, so opening it never waits for the service;
        a failure is one line in place of the figure."""
        from ..chat.budget import against_balance
        from ..chat.replay import mode_of

        session = self.magics.session
        try:
            if mode_of(self.magics)[0] == "only":
                set_text(self.balance, "Balance: not asked (AimlMagics.replay = only)")
                return
            found = session.client().balance()
        except AimlError as exc:
            set_text(self.balance, f"Balance: unavailable ({exc.message})")
            return
        stated = against_balance(session, found)
        text = f"Balance: {found} (as the service states it)"
        set_text(self.balance, text + (f" · {stated}" if stated else ""))

    def show(self) -> None:
        from IPython.display import display

        display(widget_bundle(self.widget, SESSION_PLAIN, SESSION_MARKDOWN), raw=True)
        self.on_screen.last_session_panel = self

    def refresh(self) -> None:
        """Rebuild the chat list and the usage table from the session."""
        for widget in self._rows:
            widget.close()
        self._rows, self.reset_buttons, rows = [], {}, []
        for chat in self.magics.session.chats:
            label = widgets.Label(f"{chat.name}: {len(chat.turns)} turn(s)")
            button = widgets.Button(
                description="reset",
                tooltip=f"Forget chat {chat.name}",
                layout=widgets.Layout(width="auto"),
            )
            button.on_click(partial(self._reset_clicked, chat.name))
            row = widgets.HBox([label, button])
            self.reset_buttons[chat.name] = button
            self._rows += [label, button, row]
            rows.append(row)
        if not rows:
            empty = widgets.Label("No chats yet.")
            self._rows.append(empty)
            rows.append(empty)
        self.chats.children = rows
        self.usage.value = usage_html(self.magics.session.totals)
        set_text(self.budget_status, budget.summary(self.magics.session) or "No budget: no limit.")

    def reset_chat(self, name: str) -> None:
        if self.magics.session.chats.reset(name):
            self._report(f"Forgot chat {name!r}.")
        self.refresh()

    def close(self) -> None:
        _discard(self.magics.session.listeners, self._listener)
        self.magics.unobserve(self._observer, names=list(TRAITS))
        parts = [self.status, self.chats, self.usage, self.budget, self.budget_status, self.balance]
        for widget in [*self._rows, *parts, self.refresh_button]:
            widget.close()
        self.controls.close()
        self.widget.close()

    # -- internals ----------------------------------------------------------------------

    def _report(self, text: str) -> None:
        set_text(self.status, text)

    def _reset_clicked(self, name: str, _button: widgets.Button) -> None:
        self.reset_chat(name)

    def _answered(self, _result: Any) -> None:
        try:  # a listener runs inside Session.send: it must never break a turn
            self.refresh()
            self.controls.offer_models(self.magics.session.model_names(wait=0))
        except Exception:
            log.exception("refreshing the aiml session panel failed")

    def _control_changed(self, name: str, _change: dict[str, Any]) -> None:
        if self._syncing:
            return
        try:
            if name == "model":
                value: Any = self.controls.read_model()
                if value is None:
                    raise ValueError(f"type a model id; the model stays {self.magics.model!r}")
            elif name == "stream":
                value = bool(self.controls.stream.value)
            elif name == "budget_credits":
                value = parse_budget(self.budget.value)
            elif name in CHOICE_CONTROLS:
                value = self.controls.read_choice(name)
            else:
                value = self.controls.read_number(name)
        except ValueError as exc:
            self._report(f"⚠ {exc}; nothing changed")
            return
        # The same path as `%config AimlMagics.<name> = value`.
        self.magics.update_config(Config({type(self.magics).__name__: {name: value}}))
        shown = "unset (not sent)" if value is None else repr(value)
        self._report(f"AimlMagics.{name} = {shown} for the next cells")

    def _trait_changed(self, change: Any) -> None:
        """Keep the controls in step with `%config` changes made elsewhere."""
        name, new = change["name"], change["new"]
        self._syncing = True
        try:
            if name == "model":
                if self.controls.read_model() != new:
                    self.controls.model.value = new or ""
            elif name == "stream":
                self.controls.stream.value = bool(new)
            elif name == "budget_credits":
                try:
                    current = parse_budget(self.budget.value)
                except ValueError:
                    current = object()
                if current != new:
                    self.budget.value = budget_text(new)
                set_text(self.budget_status, budget.summary(self.magics.session) or "No budget.")
            elif name in CHOICE_CONTROLS:
                self.controls.choices[name].value = new or ""
            else:
                try:
                    current = self.controls.read_number(name)
                except ValueError:
                    current = object()
                if current != new:
                    self.controls.numbers[name].value = format_number(new)
        finally:
            self._syncing = False


def budget_text(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else str(value)


def parse_budget(text: str) -> float | None:
    """The budget box: empty is no limit; otherwise credits >= 0 (ValueError says why not)."""
    text = text.strip().replace(",", "").replace("_", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"the budget must be a number of credits, got {text!r}") from None
    if not (value >= 0 and value != float("inf")):
        raise ValueError(f"the budget must be a number of credits >= 0, got {text!r}")
    return value


def _discard(items: list[Any], item: Any) -> None:
    if item in items:
        items.remove(item)

"""The per-cell panel above a `%%aiml` answer: status line, parameter controls, Regenerate.

The panel is a view and nothing more: a regeneration is `Session.send` with a copy of the
cell's `TurnRequest` (other parameters, same key, chat, output variable and history), streamed
by an ordinary `DisplayView` into the answer's own display. Everything that must survive a
saved notebook stays in that answer bundle; the panel's widgets are not saved.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from ..api import errors
from ..api.result import ChatResult
from ..chat.request import TurnRequest
from ..chat.view import AnswerView
from ..display.sanitize import escape_markdown_inline
from ..display.style import AnswerStyle
from ..display.views import DisplayView
from .controls import GENERATION_FIELDS, ParameterControls
from .fallback import widget_bundle
from .status_line import ProgressView, set_text, text_line

log = logging.getLogger(__name__)

PANEL_PLAIN = "[aiml panel: parameters and Regenerate]"
PLACEHOLDER = {
    "text/markdown": "*waiting for the answer…*",
    "text/plain": "(waiting for the answer…)",
}
NO_ANSWER = {"text/markdown": "*no answer yet*", "text/plain": "(no answer yet)"}
NOTHING = {"text/plain": ""}
STOP_CLASS = "aiml-stop"  # the JupyterLab extension interrupts the kernel on its click


@dataclass
class Shown:
    """What the answer display shows once an answer ended, so it can be put back."""

    result: ChatResult | None
    status: str
    metadata: dict | None
    notes: list[str]


def describe_error(error: BaseException) -> str:
    if isinstance(error, errors.AimlError):
        return str(error)
    if isinstance(error, KeyboardInterrupt):
        return "interrupted"
    return f"{type(error).__name__}: {error}"


class CellPanel:
    """The panel of one `%%aiml` cell run; `show()` it, then send through `watch(view)`."""

    def __init__(
        self,
        session: Any,
        request: TurnRequest,
        *,
        style: AnswerStyle,
        on_screen: Any,
        events: Any = None,
        stoppable: bool = False,
    ) -> None:
        self.session = session
        self.request = request
        self.cell_request = request  # what the cell's own options sent
        self.style = style
        self.on_screen = on_screen  # where the magics find the panels they showed
        self.events = events  # the shell's: the panel settles when its cell has finished
        self.busy = False
        self.answer_id: str | None = None
        self.panel_id: str | None = None
        self.ended = ""  # how the last answer ended, for the panel's static stand-in
        self._kept: dict[str, Any] | None = None  # the panel's copy above a consolidated answer
        self.shown: Shown | None = None
        self.current: ProgressView | None = None
        self._settle_armed = False

        self.controls = ParameterControls(
            model=session.settings.resolve_model(request.model),
            params=request.params,
            stream=request.stream,
            model_names=session.model_names(wait=0),
        )
        self.controls.widget.layout.display = "none"
        self.toggle = widgets.ToggleButton(
            value=False,
            description="parameters",
            icon="sliders",
            tooltip="Show the parameters this cell was sent with",
            layout=widgets.Layout(width="auto", flex="0 0 auto"),
        )
        self.toggle.observe(self._toggled, names="value")
        self.regenerate_button = widgets.Button(
            description="Regenerate",
            icon="refresh",
            tooltip="Send this cell's turn again with these parameters, into the same output",
            layout=widgets.Layout(width="auto", flex="0 0 auto"),
        )
        self.regenerate_button.on_click(self._clicked)
        # While the kernel streams it handles no widget messages, so a click could only act
        # after the answer: the JupyterLab extension interrupts the kernel on a click of this
        # class instead. Without the extension (`stoppable` False) there is no button.
        self.stoppable = stoppable
        self.stop_button = widgets.Button(
            description="Stop",
            icon="stop",
            tooltip="Interrupt the kernel: the answer so far stays, marked interrupted, and "
            "is not added to the conversation",
            layout=widgets.Layout(width="auto", flex="0 0 auto", display="none"),
        )
        self.stop_button.add_class(STOP_CLASS)
        # The buttons keep their size; a long status line wraps (its tooltip has it all too).
        self.status = text_line(flex="1 1 auto", width="auto", min_width="0")
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.toggle, self.regenerate_button, self.stop_button, self.status]),
                self.controls.widget,
            ]
        )

    # -- the cell run -------------------------------------------------------------------

    def show(self) -> None:
        """Display the panel, and reserve the answer's display right under it.

        Reserving the display means a regeneration always has a place to stream into, even
        when the cell's own request failed before anything was shown.
        """
        from IPython.display import display

        self._replace_earlier_panel()
        self.panel_id = display(self.bundle(), raw=True, display_id=True).display_id
        self.answer_id = display(dict(PLACEHOLDER), raw=True, display_id=True).display_id
        self.on_screen.last_panel = self

    def bundle(self) -> dict[str, Any]:
        """The panel as an output (its widget view, and a line for runners without widgets)."""
        if not self.ended:
            return widget_bundle(self.widget, PANEL_PLAIN)
        line = f"{self.controls.model.value} · {self.ended}"
        return widget_bundle(self.widget, f"[aiml: {line}]", f"*{escape_markdown_inline(line)}*")

    def watch(self, view: AnswerView) -> ProgressView:
        """Wrap the cell's answer view; the panel is busy until the cell has finished."""
        own_id = getattr(view, "display_id", None)
        if own_id:
            self.answer_id = own_id
        elif hasattr(view, "display_id") and self.answer_id:
            view.display_id = self.answer_id  # stream into the reserved display
        keep = getattr(view, "keep_above", None)
        if keep is not None:
            self._kept = self.bundle()
            keep.append(self._kept)  # the panel stays above a consolidated answer
        progress = self._progress(view)
        self._set_busy(True)
        self._arm_settle()
        return progress

    @property
    def answer_display_id(self) -> str | None:
        if self.answer_id is None and self.current is not None:
            self.answer_id = self.current.display_id
        return self.answer_id

    # -- regeneration -------------------------------------------------------------------

    def regenerate(self) -> ChatResult | None:
        """Send this cell's turn again with the panel's values; never raises."""
        if self.busy:
            return None  # a stream into this output is running (the button is disabled)
        try:
            params = {
                **{k: v for k, v in self.request.params.items() if k not in GENERATION_FIELDS},
                **self.controls.read_params(),
            }
        except ValueError as exc:
            self._report(f"⚠ {exc}; nothing was sent")
            return None
        display_id = self.answer_display_id
        if display_id is None:
            self._report("⚠ this answer has no display to regenerate into; run the cell again")
            return None
        request = dataclasses.replace(
            self.request,
            model=self.controls.read_model(),
            params=params,
            stream=bool(self.controls.stream.value),
            fresh=True,  # Regenerate asks for a new answer, never the recorded one
        )
        previous = self.shown
        progress = self._progress(self._answer_view(display_id))
        self._set_busy(True)
        try:
            result = self.session.send(request, progress)
        except (Exception, KeyboardInterrupt) as exc:  # a comm handler must not raise
            if not isinstance(exc, errors.AimlError):
                log.exception("regenerating an aiml answer failed")
            self.shown = previous
            if progress.touched:
                self._restore(previous, display_id)
            self._report(f"⚠ {describe_error(exc)} · the previous answer is kept")
            return None
        finally:
            self._set_busy(False)
        self.request = request
        note = self.source_note()
        if note:
            self._report(f"{self.status.tooltip or ''} · {note}".lstrip(" ·"))
        return result

    def source_note(self) -> str:
        """What the last Regenerate sent that the cell's source does not say ('' when the
        two agree): running the cell again sends the source's options, not the panel's."""
        resolve = self.session.settings.resolve_model
        before, now = self.cell_request, self.request
        changed = []
        if resolve(before.model) != resolve(now.model):
            changed.append(f"model {resolve(now.model)}")
        for field in sorted(GENERATION_FIELDS):
            value = now.params.get(field)
            if before.params.get(field) != value:
                changed.append(f"{field} {'unset' if value is None else value}")
        if before.stream != now.stream:
            changed.append("streaming" if now.stream else "no streaming")
        if not changed:
            return ""
        return (
            f"sent with {', '.join(changed)}; the cell's source is unchanged (running the cell "
            "sends its own options)"
        )

    def close(self) -> None:
        self._disarm_settle()
        self.controls.close()
        for widget in (self.toggle, self.regenerate_button, self.status, self.widget):
            widget.close()

    # -- internals ----------------------------------------------------------------------

    def _answer_view(self, display_id: str, notes: list[str] | None = None) -> DisplayView:
        return DisplayView(display_id=display_id, style=self.style, notes=notes)

    def _progress(self, view: AnswerView) -> ProgressView:
        self.current = ProgressView(
            view, self._report, on_finish=self._finished, on_end=self._publish
        )
        return self.current

    def _finished(self, progress: ProgressView) -> None:
        result, status, metadata = progress.finished or (None, "", None)
        self.shown = Shown(result, status, metadata, progress.notes)
        self.answer_id = progress.display_id or self.answer_id
        self.controls.offer_models(self.session.model_names(wait=0))

    def _restore(self, previous: Shown | None, display_id: str) -> None:
        """Put the previous answer back into the display a failed regeneration overwrote."""
        if previous is None:
            from IPython.display import update_display

            update_display(dict(NO_ANSWER), raw=True, display_id=display_id)
            return
        view = self._answer_view(display_id, notes=previous.notes)
        view.finish(previous.result, previous.status, previous.metadata)

    def _publish(self, ended: str) -> None:
        """Give the panel's output its static stand-in, how the answer ended (the view itself
        is unchanged); also in the copy a consolidated answer shows again above it."""
        self.ended = ended
        bundle = self.bundle()
        if self._kept is not None:
            self._kept.clear()
            self._kept.update(bundle)
        if self.panel_id:
            from IPython.display import update_display

            update_display(bundle, raw=True, display_id=self.panel_id)

    def _report(self, text: str) -> None:
        set_text(self.status, text)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.regenerate_button.disabled = busy
        self.stop_button.layout.display = "" if busy and self.stoppable else "none"

    def _clicked(self, _button: widgets.Button) -> None:
        self.regenerate()

    def _toggled(self, change: dict[str, Any]) -> None:
        self.controls.widget.layout.display = "" if change["new"] else "none"
        if change["new"]:
            self.controls.offer_models(self.session.model_names(wait=0))

    def _arm_settle(self) -> None:
        if self.events is not None and not self._settle_armed:
            self.events.register("post_run_cell", self._settle)
            self._settle_armed = True

    def _disarm_settle(self) -> None:
        if self._settle_armed:
            self._settle_armed = False
            with contextlib.suppress(ValueError):
                self.events.unregister("post_run_cell", self._settle)

    def _settle(self, result: Any = None, *_: Any) -> None:
        """The cell has finished: say why if no answer came, and allow regenerating."""
        self._disarm_settle()
        progress = self.current
        if progress is not None and progress.finished is None:
            error = getattr(result, "error_in_exec", None) or getattr(
                result, "error_before_exec", None
            )
            # An error is shown once, by the cell (its one-line error): no status, no stand-in.
            self._report("" if error else "stopped before an answer")
            if not progress.touched and self.answer_id:
                from IPython.display import update_display

                shown = NOTHING if error else NO_ANSWER
                update_display(dict(shown), raw=True, display_id=self.answer_id)
        self._set_busy(False)

    def _replace_earlier_panel(self) -> None:
        """Re-running a cell replaces its outputs: close the panel of its previous run."""
        panels = self.on_screen.cell_panels
        earlier = panels.get(self.request.key)
        if earlier is not None and earlier is not self:
            earlier.close()
        panels[self.request.key] = self

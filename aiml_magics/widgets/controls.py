"""The generation-parameter controls shared by the cell panel and the session panel.

Numbers are typed into text boxes, not sliders: an empty box means "not sent", which a
slider cannot say, and a typed value is checked by the same `check_range` as the cell
options, so the panel and `%%aiml -t ...` accept exactly the same values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import ipywidgets as widgets

from ..chat.params import PARAMS, check_range

# Trait name -> (label, placeholder), from the declared parameters. The trait names are
# also the request fields.
NUMBER_CONTROLS: dict[str, tuple[str, str]] = {
    param.name: (param.label, param.bounds) for param in PARAMS
}
GENERATION_FIELDS = set(NUMBER_CONTROLS)


def format_number(value: Any) -> str:
    """How a parameter value is shown in its box ('' for unset)."""
    if value is None:
        return ""
    if isinstance(value, float) and float(f"{value:g}") == value:
        return f"{value:g}"
    return str(value)


def parse_number(name: str, text: str) -> float | int | None:
    """A box's text as a request value: '' is None (not sent); ValueError says what is wrong."""
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {text!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {text!r}")
    return check_range(name, value)


class ParameterControls:
    """Model combobox, the numeric parameters and streaming on/off, as one widget box."""

    def __init__(
        self,
        *,
        model: str | None,
        params: dict[str, Any],
        stream: bool,
        model_names: Iterable[str] = (),
    ) -> None:
        self.model = widgets.Combobox(
            value=model or "",
            options=list(model_names),
            ensure_option=False,  # any model id may be typed, not only the listed ones
            description="model",
            placeholder="model id",
            continuous_update=False,
            layout=widgets.Layout(width="24em"),
        )
        self.numbers = {
            name: widgets.Text(
                value="",
                description=label,
                placeholder=f"{hint} (empty: not sent)",
                continuous_update=False,
                style={"description_width": "initial"},
                layout=widgets.Layout(width="16em"),
            )
            for name, (label, hint) in NUMBER_CONTROLS.items()
        }
        self.stream = widgets.Checkbox(value=stream, description="streaming", indent=False)
        self.widget = widgets.HBox(
            [self.model, *self.numbers.values(), self.stream],
            layout=widgets.Layout(flex_flow="row wrap"),
        )
        self.set_values(model, params, stream)

    def set_values(self, model: str | None, params: dict[str, Any], stream: bool) -> None:
        self.model.value = model or ""
        for name, box in self.numbers.items():
            box.value = format_number(params.get(name))
        self.stream.value = bool(stream)

    def offer_models(self, names: Iterable[str]) -> None:
        names = list(names)
        if names and names != list(self.model.options):
            self.model.options = names

    def read_model(self) -> str | None:
        """The typed model id; None when empty (the session default is used)."""
        return self.model.value.strip() or None

    def read_number(self, name: str) -> float | int | None:
        return parse_number(name, self.numbers[name].value)

    def read_params(self) -> dict[str, Any]:
        """The set numeric parameters as request fields; ValueError names the first bad box."""
        params = {}
        for name in self.numbers:
            value = self.read_number(name)
            if value is not None:
                params[name] = value
        return params

    def all_widgets(self) -> list[widgets.Widget]:
        return [self.model, *self.numbers.values(), self.stream]

    def close(self) -> None:
        for widget in [*self.all_widgets(), self.widget]:
            widget.close()

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

from ..chat.params import CHOICES, PARAMS, check_range

# Trait name -> (label, placeholder), from the declared parameters. The trait names are
# also the request fields.
NUMBER_CONTROLS: dict[str, tuple[str, str]] = {
    param.name: (param.label, param.bounds) for param in PARAMS
}
# Trait name -> the declared choice parameter: a dropdown whose first entry is "not sent".
CHOICE_CONTROLS = {choice.name: choice for choice in CHOICES}
GENERATION_FIELDS = set(NUMBER_CONTROLS) | {choice.field for choice in CHOICES}
NOT_SENT = ("(not sent)", "")


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
    """Model combobox, the numeric and choice parameters and streaming on/off, as one box."""

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
        self.choices = {
            name: widgets.Dropdown(
                options=[NOT_SENT, *((word, word) for word in choice.choices)],
                value="",
                description=choice.label,
                tooltip=choice.help,
                style={"description_width": "initial"},
                layout=widgets.Layout(width="14em"),
            )
            for name, choice in CHOICE_CONTROLS.items()
        }
        self.stream = widgets.Checkbox(value=stream, description="streaming", indent=False)
        self.widget = widgets.HBox(
            [self.model, *self.numbers.values(), *self.choices.values(), self.stream],
            layout=widgets.Layout(flex_flow="row wrap"),
        )
        self.set_values(model, params, stream)

    def set_values(self, model: str | None, params: dict[str, Any], stream: bool) -> None:
        self.model.value = model or ""
        for name, box in self.numbers.items():
            box.value = format_number(params.get(name))
        for name, box in self.choices.items():
            value = params.get(CHOICE_CONTROLS[name].field)
            box.value = value if value in CHOICE_CONTROLS[name].choices else ""
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

    def read_choice(self, name: str) -> str | None:
        """The chosen word of a choice parameter; None when "not sent" is chosen."""
        return self.choices[name].value or None

    def read_params(self) -> dict[str, Any]:
        """The set parameters as request fields; ValueError names the first bad box."""
        params = {}
        for name in self.numbers:
            value = self.read_number(name)
            if value is not None:
                params[name] = value
        for name, choice in CHOICE_CONTROLS.items():
            word = self.read_choice(name)
            if word is not None:
                params[choice.field] = word
        return params

    def all_widgets(self) -> list[widgets.Widget]:
        return [self.model, *self.numbers.values(), *self.choices.values(), self.stream]

    def close(self) -> None:
        for widget in [*self.all_widgets(), self.widget]:
            widget.close()

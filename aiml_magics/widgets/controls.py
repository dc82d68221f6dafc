"""The generation-parameter controls shared by the cell panel and the session panel.

Numbers are typed into text boxes, not sliders: an empty box means "not sent", which a
slider cannot say, and a typed value is checked by the same `check_range` as the cell
options, so the panel and `%%aiml -t ...` accept exactly the same values.

The controls sit in a grid of equal columns, every label of one width, so labels and boxes
line up as a form; a box's placeholder is its bounds only ("not sent" is said once, under
the grid), so it fits its box (tests/browser/test_panel_layout.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import ipywidgets as widgets

from ..chat.params import BY_NAME, CHOICES, PARAMS, check_range

# Trait name -> (label, placeholder), from the declared parameters. The trait names are
# also the request fields.
NUMBER_CONTROLS: dict[str, tuple[str, str]] = {
    param.name: (param.label, param.bounds) for param in PARAMS
}
# Trait name -> the declared choice parameter: a dropdown whose first entry is "not sent".
CHOICE_CONTROLS = {choice.name: choice for choice in CHOICES}
GENERATION_FIELDS = set(NUMBER_CONTROLS) | {choice.field for choice in CHOICES}
NOT_SENT = ("(not sent)", "")
# The form's measures: every label as wide as the longest ("frequency penalty"), each grid
# column one label and one box; the model box above the grid is wider.
LABEL_WIDTH = "9.5em"
COLUMN_WIDTH = "19em"
LABELLED = {"description_width": LABEL_WIDTH}
EMPTY_NOTE = "An empty box is not sent: the model's own default applies."


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


def _number_box(name: str, label: str, hint: str) -> widgets.Text:
    """A number's box: its bounds as placeholder, its help (and "empty: not sent") as tooltip."""
    return widgets.Text(
        value="",
        description=label,
        placeholder=hint,
        tooltip=f"{BY_NAME[name].help} Empty: not sent.",
        continuous_update=False,
        style=LABELLED,
        layout=widgets.Layout(width="100%"),
    )


def _choice_box(choice: Any) -> widgets.Dropdown:
    """A choice's dropdown, "(not sent)" first."""
    return widgets.Dropdown(
        options=[NOT_SENT, *((word, word) for word in choice.choices)],
        value="",
        description=choice.label,
        tooltip=choice.help,
        style=LABELLED,
        layout=widgets.Layout(width="100%"),
    )


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
            placeholder="model id (empty: the session's model)",
            continuous_update=False,
            style=LABELLED,
            layout=widgets.Layout(width="100%", max_width="40em"),
        )
        self.numbers = {
            name: _number_box(name, label, hint) for name, (label, hint) in NUMBER_CONTROLS.items()
        }
        self.choices = {name: _choice_box(choice) for name, choice in CHOICE_CONTROLS.items()}
        # Indented by a label's width, so the box lines up with the boxes above it.
        self.stream = widgets.Checkbox(
            value=stream,
            description="streaming",
            indent=True,
            style=LABELLED,
            layout=widgets.Layout(width="auto"),
        )
        self.note = widgets.HTML(
            f"<small>{EMPTY_NOTE}</small>",
            layout=widgets.Layout(margin=f"0 0 0 calc({LABEL_WIDTH} + 8px)"),
        )
        self.grid = widgets.GridBox(
            [*self.numbers.values(), *self.choices.values()],
            layout=widgets.Layout(
                grid_template_columns=f"repeat(auto-fill, {COLUMN_WIDTH})",
                grid_gap="2px 1em",
                width="100%",
            ),
        )
        self.widget = widgets.VBox(
            [self.model, self.grid, self.stream, self.note], layout=widgets.Layout(width="100%")
        )
        self.widget.add_class("aiml-parameters")
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
        for widget in [*self.all_widgets(), self.note, self.grid, self.widget]:
            widget.close()

"""Prices of the other kinds of model: per token, image, megapixel, character or second.

The catalogue's documented `pricing` shape is `{"kind": "fixed" | "variants" | "variable",
"currency": "USD", "units": [{"name", "measure", "price", "per"}], "dimensions": [...],
"variants": [{"when": {"resolution": "720p"}, "price", "unit", "per"}]}`. A price is always
`price / per` of one unit. `UnitPrice` is that parsed unit; the cost functions take units and
amounts only, so they work the same whichever parser (this one or `catalogue.Pricing`) made
the units. `variable` pricing cannot be quoted before a request: no estimate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

UNIT_NAMES = {
    "token": "token",
    "tokens": "token",
    "image": "image",
    "images": "image",
    "megapixel": "megapixel",
    "megapixels": "megapixel",
    "mp": "megapixel",
    "second": "second",
    "seconds": "second",
    "sec": "second",
    "minute": "minute",
    "minutes": "minute",
    "character": "character",
    "characters": "character",
    "char": "character",
}


@dataclass(frozen=True)
class UnitPrice:
    """`usd` dollars per `per` of `unit`, applying when every `when` dimension matches."""

    unit: str
    usd: float
    per: float = 1.0
    measure: str = ""
    when: tuple[tuple[str, str], ...] = ()

    @property
    def each(self) -> float:
        return self.usd / self.per

    def applies(self, chosen: Mapping[str, Any]) -> bool:
        return all(str(chosen.get(k)) == v for k, v in self.when)


@dataclass(frozen=True)
class MediaPricing:
    """A model's parsed prices; `kind` is fixed, variants or variable."""

    kind: str
    units: tuple[UnitPrice, ...] = ()
    dimensions: tuple[str, ...] = field(default=())

    @classmethod
    def from_api(cls, data: Any) -> MediaPricing | None:
        """None for anything that is not USD in the documented shape."""
        if not isinstance(data, dict) or str(data.get("currency", "USD")).upper() != "USD":
            return None
        kind = str(data.get("kind") or "fixed")
        if kind == "variable":
            return cls("variable")
        rows = data.get("units") if kind == "fixed" else data.get("variants")
        units = tuple(u for u in (_unit(row) for row in rows or []) if u is not None)
        dimensions = tuple(str(d) for d in data.get("dimensions") or [])
        return cls(kind, units, dimensions) if units else None

    def options(self, dimension: str) -> list[str]:
        """The values a variant dimension takes (`["720p", "1080p"]`)."""
        return sorted({v for u in self.units for k, v in u.when if k == dimension})


def _unit(row: Any) -> UnitPrice | None:
    if not isinstance(row, dict):
        return None
    name = UNIT_NAMES.get(str(row.get("name") or row.get("unit") or "").lower().strip())
    try:
        price, per = float(row["price"]), float(row.get("per") or 1)
    except (KeyError, TypeError, ValueError):
        return None
    if name is None or not (price >= 0 and per > 0) or price == float("inf"):
        return None
    when = row.get("when") if isinstance(row.get("when"), dict) else {}
    return UnitPrice(
        name,
        price,
        per,
        str(row.get("measure") or ""),
        tuple(sorted((str(k), str(v)) for k, v in when.items())),
    )


def cost(
    units: Iterable[UnitPrice],
    amounts: Mapping[str, float],
    chosen: Mapping[str, Any] | None = None,
) -> float | None:
    """Dollars for `amounts` of each unit (`{"image": 2, "megapixel": 2.1}`) at the prices
    that apply to the `chosen` variant; None when no price applies to any amount given."""
    total, priced = 0.0, False
    for unit in units:
        if unit.unit in amounts and unit.applies(chosen or {}):
            total += amounts[unit.unit] * unit.each
            priced = True
            if unit.when:  # a variant row prices the whole request
                break
    return total if priced else None


def image_amounts(n: int, size: str | None) -> dict[str, float]:
    """Per image and per megapixel (`size` is `WxH`; unknown sizes count 1 MP each)."""
    width, _, height = str(size or "1024x1024").partition("x")
    pixels = int(width) * int(height) if width.isdigit() and height.isdigit() else 1_000_000
    return {"image": float(n), "megapixel": n * pixels / 1_000_000}


def video_amounts(seconds: float) -> dict[str, float]:
    return {"second": float(seconds), "minute": seconds / 60}


def speech_amounts(text: str) -> dict[str, float]:
    return {"character": float(len(text))}


def transcription_amounts(seconds: float) -> dict[str, float]:
    return {"second": float(seconds), "minute": seconds / 60}


def embedding_amounts(tokens: int) -> dict[str, float]:
    return {"token": float(tokens)}

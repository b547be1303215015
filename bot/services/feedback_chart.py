"""Charts of rating and NPS answers, rendered off-screen to PNG for Telegram."""

from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no display on servers; must come before pyplot
import matplotlib.pyplot as plt

NPS_COLOURS = ["#c0392b"] * 7 + ["#f39c12"] * 2 + ["#27ae60"] * 2


@dataclass(frozen=True, slots=True)
class ChartSeries:
    """One service's answers: counts per rating (1–5) and per NPS score (0–10)."""

    name: str
    ratings: dict[str, int]
    nps: dict[str, int]


def distribution_chart(series: list[ChartSeries], rating_title: str, nps_title: str) -> bytes:
    """A PNG with one row per service: rating bars on the left, NPS bars on the right."""
    rows = max(len(series), 1)
    fig, axes = plt.subplots(rows, 2, figsize=(9, 2.6 * rows), squeeze=False)
    try:
        for row, item in zip(axes, series, strict=False):
            left, right = row
            left.bar(list(item.ratings), list(item.ratings.values()), color="#2e86c1")
            left.set_title(f"{item.name}: {rating_title}", fontsize=9)
            right.bar(list(item.nps), list(item.nps.values()),
                      color=NPS_COLOURS[: len(item.nps)])
            right.set_title(f"{item.name}: {nps_title}", fontsize=9)
            for axis in row:
                axis.yaxis.get_major_locator().set_params(integer=True)
                axis.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110)
        return buffer.getvalue()
    finally:
        plt.close(fig)

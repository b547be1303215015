"""Charts of rating and NPS answers, rendered off-screen to PNG for Telegram."""

from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no display on servers; must come before pyplot
import matplotlib.pyplot as plt

NPS_COLOURS = ["#c0392b"] * 7 + ["#f39c12"] * 2 + ["#27ae60"] * 2
# Telegram refuses photos whose width + height exceed 10000 px: 25 rows of 2.6 in at 110 dpi
# make 990 x 7150 px, so longer lists are drawn on several images.
ROWS_PER_IMAGE = 25
WIDTH_IN, ROW_IN, DPI = 9, 2.6, 110
MAX_HEIGHT_IN = 80  # 8800 px: with the width, within the limit even if rows must shrink


@dataclass(frozen=True, slots=True)
class ChartSeries:
    """One service's answers: counts per rating (1–5) and per NPS score (0–10)."""

    name: str
    ratings: dict[str, int]
    nps: dict[str, int]


def distribution_charts(series: list[ChartSeries], rating_title: str, nps_title: str,
                        per_image: int = ROWS_PER_IMAGE) -> list[bytes]:
    """PNGs of at most `per_image` services each, so that Telegram takes every one."""
    return [distribution_chart(series[i:i + per_image], rating_title, nps_title)
            for i in range(0, max(len(series), 1), per_image)]


def distribution_chart(series: list[ChartSeries], rating_title: str, nps_title: str) -> bytes:
    """A PNG with one row per service: rating bars on the left, NPS bars on the right.

    Meant for up to ROWS_PER_IMAGE services (distribution_charts splits longer lists); with
    more, the rows shrink so that the image still stays within Telegram's limit.
    """
    rows = max(len(series), 1)
    height = min(ROW_IN * rows, MAX_HEIGHT_IN)
    fig, axes = plt.subplots(rows, 2, figsize=(WIDTH_IN, height), squeeze=False)
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
        fig.savefig(buffer, format="png", dpi=DPI)
        return buffer.getvalue()
    finally:
        plt.close(fig)

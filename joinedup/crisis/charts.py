"""The crisis report's charts, drawn by matplotlib (Agg, no pyplot state) as SVG, each with its
text alternative: the same figures are in the page's tables.

- `weekday_hour`: a heat map of crises raised by weekday and hour (the Friday afternoon effect);
- `response_times`: median minutes to acknowledge and to arrive, by locality, with the share
  of crises with someone there within 2 hours;
- `outcomes`: crises by situation, and how many of them avoided an admission.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from joinedup.crisis.report import WEEKDAYS, CrisisReport, Figures

NHS_BLUE, NHS_DARK_BLUE, NHS_GREEN = "#005eb8", "#003087", "#007f3b"
CHARTS = ("weekday-hour", "response-times", "outcomes")


@contextmanager
def _figure(width: float, height: float) -> Iterator[Any]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "joinedup", "font.size": 10}):
        yield Figure(figsize=(width, height), layout="constrained")


def _svg(figure: Any, title: str) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="svg", metadata={"Date": None, "Title": title})
    return out.getvalue()


def _empty(axes: Any, text: str) -> None:
    axes.text(0.5, 0.5, text, ha="center", va="center")
    axes.set_xticks([])
    axes.set_yticks([])


def weekday_hour(report: CrisisReport) -> bytes:
    title = f"Crises raised by weekday and hour, last {report.period_days} days"
    with _figure(8.5, 3.8) as figure:
        axes = figure.add_subplot()
        grid = report.by_weekday_hour
        image = axes.imshow(grid, aspect="auto", cmap="Blues", vmin=0)
        axes.set_yticks(range(7), WEEKDAYS)
        axes.set_xticks(range(0, 24, 2), [f"{hour:02d}:00" for hour in range(0, 24, 2)], rotation=45)
        axes.set_xlabel("Hour of the day the crisis was raised (London time)")
        colour = figure.colorbar(image, ax=axes, shrink=0.9)
        colour.set_label("Crises raised")
        axes.set_title(title, loc="left")
        return _svg(figure, title)


def weekday_hour_alt(report: CrisisReport) -> str:
    busiest = report.busiest
    days = "; ".join(f"{day}: {count}" for day, count in zip(WEEKDAYS, report.by_weekday, strict=True))
    if busiest is None:
        return f"Heat map of crises by weekday and hour: no crisis was raised in the last {report.period_days} days."
    day, hour, count = busiest
    return (
        f"Heat map of crises raised by weekday and hour, last {report.period_days} days. Busiest hour: {day} "
        f"{hour:02d}:00 to {(hour + 1) % 24:02d}:00 with {count}. By weekday: {days}."
    )


def _number(value: float | None) -> float:
    return value if value is not None else 0.0


def response_times(report: CrisisReport) -> bytes:
    title = f"Minutes to acknowledge and to arrive by locality, last {report.period_days} days"
    rows = [row for row in report.by_locality if row.raised - row.cancelled]
    with _figure(7.5, 2.4 + 0.7 * max(len(rows), 1)) as figure:
        axes = figure.add_subplot()
        if rows:
            places = range(len(rows))
            height = 0.38
            ack = axes.barh([p - height / 2 for p in places], [_number(r.median_ack) for r in rows], height,
                            label="Median minutes to acknowledge", color=NHS_BLUE)  # fmt: skip
            arrive = axes.barh([p + height / 2 for p in places], [_number(r.median_arrive) for r in rows], height,
                               label="Median minutes to arrive", color="white", edgecolor=NHS_DARK_BLUE,
                               hatch="///")  # fmt: skip
            axes.bar_label(ack, fmt="%.0f", padding=3)
            axes.bar_label(arrive, fmt="%.0f", padding=3)
            labels = [f"{r.name}\n{_share(r.share_within_target)} within 2 h" for r in rows]
            axes.set_yticks(list(places), labels)
            axes.invert_yaxis()
            axes.axvline(120, color="#d5281b", linestyle="--", linewidth=1, label="2-hour target")
            axes.margins(x=0.15)
            axes.legend(loc="upper left", bbox_to_anchor=(0, -0.16), ncol=2, frameon=False)
            axes.spines[["top", "right"]].set_visible(False)
        else:
            _empty(axes, "No crisis was raised in this period")
        axes.set_xlabel("Minutes from raising")
        axes.set_title(title, loc="left")
        return _svg(figure, title)


def _share(value: float | None) -> str:
    return "no figure" if value is None else f"{value * 100:.0f}%"


def response_times_alt(report: CrisisReport) -> str:
    parts = [
        f"{r.name}: median {_number(r.median_ack):.0f} minutes to acknowledge, {_number(r.median_arrive):.0f} to "
        f"arrive, {_share(r.share_within_target)} within 2 hours"
        for r in report.by_locality
    ]
    if not parts:
        return f"Bar chart of response times by locality: no crisis in the last {report.period_days} days."
    return f"Bar chart of response times by locality, last {report.period_days} days. " + "; ".join(parts) + "."


def outcomes(report: CrisisReport) -> bytes:
    title = f"Crises and admissions avoided by situation, last {report.period_days} days"
    rows: list[Figures] = report.by_situation
    with _figure(7.5, 2.0 + 0.45 * max(len(rows), 1)) as figure:
        axes = figure.add_subplot()
        if rows:
            places = range(len(rows))
            height = 0.38
            raised = axes.barh([p - height / 2 for p in places], [r.raised for r in rows], height,
                               label="Crises raised", color=NHS_BLUE)  # fmt: skip
            avoided = axes.barh([p + height / 2 for p in places], [r.avoided for r in rows], height,
                                label="Admissions avoided", color="white", edgecolor=NHS_GREEN,
                                hatch="...")  # fmt: skip
            axes.bar_label(raised, padding=3)
            axes.bar_label(avoided, padding=3)
            axes.set_yticks(list(places), [r.name for r in rows])
            axes.invert_yaxis()
            axes.margins(x=0.12)
            axes.legend(loc="upper left", bbox_to_anchor=(0, -0.08), ncol=2, frameon=False)
            axes.spines[["top", "right"]].set_visible(False)
        else:
            _empty(axes, "No crisis was raised in this period")
        axes.set_xlabel("Crises")
        axes.set_title(title, loc="left")
        return _svg(figure, title)


def outcomes_alt(report: CrisisReport) -> str:
    parts = [f"{r.name}: {r.raised} raised, {r.avoided} admissions avoided" for r in report.by_situation]
    if not parts:
        return f"Bar chart of crises by situation: none in the last {report.period_days} days."
    return f"Bar chart of crises and admissions avoided by situation, last {report.period_days} days. " + "; ".join(
        parts
    )


DRAW = {"weekday-hour": weekday_hour, "response-times": response_times, "outcomes": outcomes}
ALT = {"weekday-hour": weekday_hour_alt, "response-times": response_times_alt, "outcomes": outcomes_alt}

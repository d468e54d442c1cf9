"""The handover quality page (/handover/quality/) and its chart (/handover/quality/chart.svg).

For team managers, MDT coordinators and commissioners; anyone else gets the
404 page. The figures are aggregates (handover.quality); the chart is drawn by
matplotlib (Agg, no pyplot state) as SVG and shown in the page as a data: URI,
with a text alternative and the same figures in a table.
"""

from __future__ import annotations

import base64
import io

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from joinedup.core.pages import acting, page, query_int, render_page
from joinedup.handover.quality import (
    MIN_REASON_COUNT,
    PERIODS,
    Figures,
    QualityReport,
    handover_quality,
    period_of,
)

CHART_TEAMS = 15  # the teams with the most acceptances; every team is in the table
NHS_BLUE, NHS_DARK_BLUE = "#005eb8", "#003087"


def _charted(report: QualityReport) -> list[Figures]:
    teams = [row for row in report.by_team if row.median_hours_to_accept is not None]
    busiest = sorted(teams, key=lambda row: (-row.accepted, row.name))[:CHART_TEAMS]
    return sorted(busiest, key=lambda row: row.name)


def chart_alt(report: QualityReport) -> str:
    """The chart in words: what it shows and every figure drawn."""
    teams = _charted(report)
    if not teams:
        return (
            "Chart of time to acceptance by receiving team: "
            f"no referral was accepted in the last {report.period_days} days."
        )
    figures = "; ".join(
        f"{row.name}: median {row.median_hours_to_accept:.1f} hours, 90th centile {row.p90_hours_to_accept:.1f} hours"
        for row in teams
    )
    return (
        f"Bar chart of the hours from sending to acceptance by receiving team, last {report.period_days} days. "
        f"{figures}."
    )


def chart_svg(report: QualityReport) -> bytes:
    """Median and 90th centile hours to acceptance per receiving team, as a horizontal bar chart."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    teams = _charted(report)
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "joinedup", "font.size": 10}):
        figure = Figure(figsize=(7.5, 1.6 + 0.55 * max(len(teams), 1)), layout="constrained")
        axes = figure.add_subplot()
        if teams:
            rows = range(len(teams))
            height = 0.38
            median = axes.barh(
                [r - height / 2 for r in rows],
                [row.median_hours_to_accept or 0 for row in teams],
                height,
                label="Median",
                color=NHS_BLUE,
            )
            p90 = axes.barh(
                [r + height / 2 for r in rows],
                [row.p90_hours_to_accept or 0 for row in teams],
                height,
                label="90th centile",
                color="white",
                edgecolor=NHS_DARK_BLUE,
                hatch="///",  # told apart from the median by pattern, not by colour alone
            )
            axes.bar_label(median, fmt="%.1f", padding=3)
            axes.bar_label(p90, fmt="%.1f", padding=3)
            axes.set_yticks(list(rows), [row.name for row in teams])
            axes.invert_yaxis()
            axes.margins(x=0.12)
            axes.legend(loc="best", frameon=False)
            axes.spines[["top", "right"]].set_visible(False)
        else:
            axes.text(0.5, 0.5, "No referral was accepted in this period", ha="center", va="center")
            axes.set_xticks([])
            axes.set_yticks([])
        axes.set_xlabel("Hours from sending to acceptance")
        axes.set_title(f"Time to acceptance by receiving team, last {report.period_days} days", loc="left")
        out = io.BytesIO()
        figure.savefig(out, format="svg", metadata={"Date": None, "Title": "Time to acceptance by receiving team"})
    return out.getvalue()


def _period(request: HttpRequest) -> int:
    return period_of(query_int(request, "period"))


@page
@require_GET
def quality(request: HttpRequest) -> HttpResponse:
    report = handover_quality(acting(request), _period(request))
    chart = base64.b64encode(chart_svg(report)).decode("ascii")
    return render_page(
        request,
        "handover/quality.jinja",
        {
            "title": "Handover quality",
            "report": report,
            "period_items": [
                {"value": days, "text": f"Last {days} days", "selected": days == report.period_days} for days in PERIODS
            ],
            "min_reason_count": MIN_REASON_COUNT,
            "chart_uri": f"data:image/svg+xml;base64,{chart}",
            "chart_alt": chart_alt(report),
            "charted_teams": len(_charted(report)),
            "chart_limit": CHART_TEAMS,
        },
    )


@page
@require_GET
def quality_chart(request: HttpRequest) -> HttpResponse:
    """The chart alone, to save or to put in a paper (audited as a view of the report)."""
    report = handover_quality(acting(request), _period(request), part="chart")
    response = HttpResponse(chart_svg(report), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'inline; filename="handover-time-to-acceptance-{report.period_days}d.svg"'
    return response

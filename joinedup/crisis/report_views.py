"""The crisis report (/crisis/report/) and its charts (/crisis/report/<chart>.svg), for team managers,
MDT coordinators and commissioners; anyone else gets the 404 page. Aggregates only."""

from __future__ import annotations

import base64

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from joinedup.core.pages import acting, page, query_int, render_page
from joinedup.crisis import charts
from joinedup.crisis.report import PERIODS, WEEKDAYS, crisis_report, period_of


def _uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


@page
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    found = crisis_report(acting(request), period_of(query_int(request, "period")))
    pictures = [
        {"name": name, "uri": _uri(charts.DRAW[name](found)), "alt": charts.ALT[name](found)} for name in charts.CHARTS
    ]
    return render_page(
        request,
        "crisis/report.jinja",
        {
            "title": "Crisis report",
            "report": found,
            "charts": pictures,
            "weekdays": WEEKDAYS,
            "period_items": [
                {"value": days, "text": f"Last {days} days", "selected": days == found.period_days} for days in PERIODS
            ],
        },
    )


@page
@require_GET
def report_chart(request: HttpRequest, chart: str) -> HttpResponse:
    if chart not in charts.CHARTS:
        raise Http404("chart")
    found = crisis_report(acting(request), period_of(query_int(request, "period")), part=f"chart {chart}")
    response = HttpResponse(charts.DRAW[chart](found), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'inline; filename="crisis-{chart}-{found.period_days}d.svg"'
    return response

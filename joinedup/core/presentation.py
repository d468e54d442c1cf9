"""How dates, times and NHS numbers are shown to people: Europe/London, in words."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone

from joinedup.core.nhs_number import formatted


def london(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value else None


def date_text(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return f"{value.day} {value:%B %Y}"


def datetime_text(value: datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def age(value: date | None) -> int | str:
    if value is None:
        return ""
    today = timezone.localdate()
    return today.year - value.year - ((today.month, today.day) < (value.month, value.day))


def time_left(value: datetime | None) -> str:
    """'3 hours 20 minutes left' or 'overdue by 2 days'."""
    if value is None:
        return ""
    delta = value - timezone.now()
    overdue = delta.total_seconds() < 0
    seconds = abs(int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        text = f"{days} day{'s' if days != 1 else ''}" + (f" {hours} hour{'s' if hours != 1 else ''}" if hours else "")
    elif hours:
        text = f"{hours} hour{'s' if hours != 1 else ''} {minutes} minute{'s' if minutes != 1 else ''}"
    else:
        text = f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"overdue by {text}" if overdue else f"{text} left"


def nhs_number(value: str | None) -> str:
    return formatted(value) if value else "Not yet known"


FILTERS: dict[str, Any] = {
    "london": london,
    "date_text": date_text,
    "datetime_text": datetime_text,
    "age": age,
    "time_left": time_left,
    "nhs_number": nhs_number,
}

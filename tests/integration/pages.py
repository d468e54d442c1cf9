"""Helpers for the page tests: a signed-in test client, and a page's text as a person reads it."""

from __future__ import annotations

import html
import re
from typing import Any

from django.http import HttpResponse
from django.test import Client

from tests.factories import Borough


def signed_in(b: Borough, name: str, **kwargs: Any) -> Client:
    browser = Client(**kwargs)
    browser.force_login(b.people[name])
    return browser


def text(response: HttpResponse) -> str:
    """The words on the page, without tags, scripts or extra spaces."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body)).strip()


def main_text(response: HttpResponse) -> str:
    """The words of the page's main content (without the header and footer)."""
    body = response.content.decode()
    start, end = body.find('id="maincontent"'), body.find("</main>")
    return text(HttpResponse(body[start:end]))


def error_links(response: HttpResponse) -> dict[str, str]:
    """The error summary's links: {message: href}."""
    body = response.content.decode()
    start = body.find('class="nhsuk-error-summary"')
    if start < 0:
        return {}
    summary = body[start : body.find("</ul>", start)]
    return {
        re.sub(r"\s+", " ", html.unescape(message)).strip(): href
        for href, message in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', summary, flags=re.S)
    }

"""The Jinja2 environment: project templates first, then the NHS.UK frontend macros."""

from __future__ import annotations

from typing import Any

from django.contrib.messages import get_messages
from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader

from joinedup.core import presentation


def environment(**options: Any) -> Environment:
    loader = options.pop("loader", None)
    options.pop("autoescape", None)  # always on: every page shows what people typed
    # The NHS.UK macros read nested optional parameters (params.navigation.colour...).
    options["undefined"] = ChainableUndefined
    env = Environment(autoescape=True, **options)
    loaders = [loader] if loader is not None else []
    env.loader = (
        ChoiceLoader([*loaders, env.loader, PackageLoader("nhsuk_frontend_jinja", "templates")])
        if env.loader
        else ChoiceLoader([*loaders, PackageLoader("nhsuk_frontend_jinja", "templates")])
    )
    env.globals.update(
        static=static,
        url=lambda name, *args, **kwargs: reverse(name, args=args or None, kwargs=kwargs or None),
        csrf_token=get_token,
        get_messages=get_messages,
        now=timezone.now,
    )
    env.filters.update(presentation.FILTERS)
    return env

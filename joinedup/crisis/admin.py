"""The Django admin, for system administrators: setting up on-call rotas (a locality's, or the
borough's, for health or social care, with its team, service manager and named fallback).
Shifts are put on the rota pages (/crisis/rotas/), which read times on the London clock."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from joinedup.core import audit
from joinedup.core.access import actor_for
from joinedup.crisis.models import Rota


@admin.register(Rota)
class RotaAdmin(admin.ModelAdmin):
    list_display = ("__str__", "team", "manager", "fallback")
    list_filter = ("sector", "locality")
    autocomplete_fields = ("manager", "fallback", "team")

    def save_model(self, request: HttpRequest, obj: Rota, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(
                actor_for(request.user, "page"),
                "update" if change else "create",
                object_type="Rota",
                object_id=obj.pk,
                reason="rota set up in the admin",
                detail={"team": obj.team_id, "manager": obj.manager_id, "fallback": obj.fallback_id},
            )

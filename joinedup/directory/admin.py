"""The Django admin, for system administrators: the directory only, never client records.

Changes that touch accountability (a team's duty worker, members leaving,
deactivating a practitioner) go through directory.services, so the admin
cannot leave a client without someone who answers for them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from joinedup.core.access import actor_for
from joinedup.directory import services
from joinedup.directory.models import Locality, Organisation, Practitioner, Team, TeamMembership


@admin.register(Locality)
class LocalityAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "postcode_districts")
    search_fields = ("name", "code")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "ods_code", "sector", "kind", "locality")
    list_filter = ("sector", "kind", "locality")
    search_fields = ("name", "ods_code")


class MembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ("practitioner",)
    can_delete = False  # leaving goes through the "remove member" action, which reassigns clients


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ("name", "kind", "service", "locality", "organisation", "email", "phone", "duty_worker", "manager")

    def clean_duty_worker(self) -> Practitioner | None:
        new = self.cleaned_data.get("duty_worker")
        if self.instance.pk and new != self.instance.duty_worker:
            self._duty_worker_changed = True
        return new


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    form = TeamForm
    list_display = ("name", "kind", "service", "locality", "organisation", "duty_worker", "manager")
    list_filter = ("kind", "service", "locality", "organisation")
    search_fields = ("name",)
    autocomplete_fields = ("duty_worker", "manager")
    inlines = [MembershipInline]

    def save_model(self, request: HttpRequest, obj: Team, form: Any, change: bool) -> None:
        if change and getattr(form, "_duty_worker_changed", False):
            new_duty_worker = obj.duty_worker
            obj.duty_worker = Team.objects.get(pk=obj.pk).duty_worker
            super().save_model(request, obj, form, change)
            try:
                services.set_duty_worker(actor_for(request.user, "page"), obj, new_duty_worker)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            return
        super().save_model(request, obj, form, change)


@admin.register(TeamMembership)
class TeamMembershipAdmin(admin.ModelAdmin):
    list_display = ("team", "practitioner", "role_in_team", "since")
    list_filter = ("team",)
    search_fields = ("team__name", "practitioner__username", "practitioner__last_name")
    actions = ["remove_members"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Remove from the team (their clients fall back to the duty worker)")
    def remove_members(self, request: HttpRequest, queryset: QuerySet[TeamMembership]) -> None:
        actor = actor_for(request.user, "page")
        for membership in queryset.select_related("team", "practitioner"):
            try:
                services.remove_member(actor, membership.team, membership.practitioner)
            except ValidationError as error:
                messages.error(request, f"{membership}: {' '.join(error.messages)}")


@admin.register(Practitioner)
class PractitionerAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "profession", "organisation", "is_active")
    list_filter = ("profession", "organisation", "groups", "is_active")
    search_fields = ("username", "first_name", "last_name", "email")
    readonly_fields = ("is_active",)
    actions = ["deactivate"]
    fieldsets = (
        *UserAdmin.fieldsets,  # type: ignore[misc]
        ("Work", {"fields": ("profession", "organisation", "job_title", "phone")}),
        (
            "Home (optional: only for information governance's access alerts)",
            {"fields": ("home_address", "home_postcode")},
        ),
    )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # people leave: deactivate them, their history stays

    @admin.action(description="Deactivate (leave every team; their clients fall back to duty workers)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Practitioner]) -> None:
        actor = actor_for(request.user, "page")
        for practitioner in queryset:
            try:
                services.deactivate_practitioner(actor, practitioner)
            except ValidationError as error:
                messages.error(request, f"{practitioner}: {' '.join(error.messages)}")

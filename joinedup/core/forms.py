"""Forms rendered with the NHS.UK macros: field ids equal their names, errors feed the summary.

`PageForm.apply` puts a service's ValidationError ({field: message}) on the
form, so that a refusal by the service reads like any other form error.
`NhsDateField` reads the NHS date input (day, month and year boxes).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

DATE_PARTS = ("day", "month", "year")


class NhsDateInput(forms.Widget):
    """The NHS date input's three boxes: `<name>[day]`, `<name>[month]` and `<name>[year]`."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, str]:
        return {part: str(data.get(f"{name}[{part}]", "")).strip() for part in DATE_PARTS}

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return all(f"{name}[{part}]" not in data for part in DATE_PARTS)


class NhsDateField(forms.Field):
    """A date typed as day, month and year, with the design system's error messages."""

    widget = NhsDateInput

    def __init__(self, *, label: str = "Date", **kwargs: Any) -> None:
        super().__init__(label=label, **kwargs)
        self.error_messages.setdefault("required", f"Enter the {label.lower()}")

    def to_python(self, value: Any) -> date | None:
        if isinstance(value, date):
            return value
        if not value or not any(value.values()):
            return None
        missing = [part for part in DATE_PARTS if not value.get(part)]
        if missing:
            raise ValidationError(f"{self.label} must include a {missing[0]}")
        if not all(value[part].isdigit() for part in DATE_PARTS):
            raise ValidationError(f"{self.label} must be a real date, in numbers")
        if len(value["year"]) != 4:
            raise ValidationError("Year must include 4 numbers")
        try:
            return date(int(value["year"]), int(value["month"]), int(value["day"]))
        except ValueError as error:
            raise ValidationError(f"{self.label} must be a real date") from error

    def prepare_value(self, value: Any) -> dict[str, str]:
        if isinstance(value, date):
            return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        return value if isinstance(value, dict) else {}


class PageForm(forms.Form):
    """A Django form shaped for the NHS.UK macros."""

    # Where a service's field name differs from the form's: {"service_field": "form_field"}.
    service_fields: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def anchor(self, name: str) -> str:
        """The id of the box a link in the error summary should land on."""
        if name == NON_FIELD_ERRORS or name not in self.fields:
            name = next(iter(self.fields), "")
        field = self.fields.get(name)
        return f"{name}-day" if isinstance(field, NhsDateField) else name

    def error_list(self) -> list[dict[str, str]]:
        """The items of the NHS error summary: each message, linked to its field."""
        return [
            {"text": str(message), "href": f"#{self.anchor(name)}"}
            for name, messages in self.errors.items()
            for message in messages
        ]

    def error_text(self, name: str) -> str | None:
        errors = self.errors.get(name)
        return str(errors[0]) if errors else None

    def apply(self, error: ValidationError) -> None:
        """Show a service's refusal of the input on the fields it names."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for key, messages in error.message_dict.items():
            name = self.service_fields.get(key, key)
            self.add_error(name if name in self.fields else None, messages)

    def set_choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        cast(forms.ChoiceField, self.fields[name]).choices = choices

    def items(self, name: str, *, blank: str | None = None) -> list[dict[str, Any]]:
        """Options for the select or radios macro, with the current choice marked."""
        field = self.fields[name]
        current = self[name].value()
        chosen = {str(v) for v in current} if isinstance(current, list | tuple) else {str(current)}
        options: list[dict[str, Any]] = [{"value": "", "text": blank}] if blank is not None else []
        choices: Iterable[tuple[Any, Any]] = cast(forms.ChoiceField, field).choices  # type: ignore[assignment]
        for value, text in choices:
            if str(value) == "" and blank is not None:
                continue
            selected = str(value) in chosen
            options.append({"value": str(value), "text": str(text), "selected": selected, "checked": selected})
        return options


class SignInForm(AuthenticationForm, PageForm):
    """Django's sign-in form, with the design system's words."""

    error_messages = {
        "invalid_login": "Enter a correct username and password",
        "inactive": "This account is not active: ask your system administrator",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"

"""Values as the interface shows them, in French: pure functions, no queries."""

import datetime
import decimal

from django.db import models
from django.utils import formats, timezone

from roadmap.enums import StageStatus

DELETED_USER = "Utilisateur supprimé"

# DSFR badge of each status; the badge always carries the status in words.
STATUS_BADGES = {
    StageStatus.DRAFT: "fr-badge--new",
    StageStatus.SUBMITTED: "fr-badge--info",
    StageStatus.VALIDATED: "fr-badge--success",
    StageStatus.RETURNED: "fr-badge--warning",
}


def user_name(user, *, in_sentence=False) -> str:
    """The user's full name, else their login; a deleted user says so."""
    if user is None:
        return "un utilisateur supprimé" if in_sentence else DELETED_USER
    return user.get_full_name() or user.get_username()


def yes_no(value: bool) -> str:
    return "oui" if value else "non"


def field_text(field, value) -> str:
    """A model field's value as French text: history, conflicts, item lists."""
    if value is None or value == "":
        return ""
    if field.many_to_many:
        return ", ".join(sorted(str(getattr(obj, "pk", obj)) for obj in value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(field, models.DecimalField):
        # French grouping and comma: "1 500 000,00".
        return formats.number_format(
            decimal.Decimal(value),
            field.decimal_places,
            use_l10n=True,
            force_grouping=True,
        )
    return str(value)


def date_text(value) -> str | None:
    """23/11/2026, or 23/11/2026 14:05 for a moment; None for anything else."""
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return None


def moment_text(moment) -> str:
    """23/11/2026 à 14:05, in local time: when someone did something."""
    return f"{timezone.localtime(moment):%d/%m/%Y à %H:%M}"


def value_text(value) -> str:
    """A typed table cell as French text, for the printable page."""
    if value is None:
        return ""
    if (text := date_text(value)) is not None:
        return text
    if isinstance(value, decimal.Decimal | float | int) and not isinstance(value, bool):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return str(value)


def csv_value(value):
    """French spreadsheets read 12,5 and 23/11/2026, not 12.5 and 2026-11-23."""
    if value is None:
        return ""
    if (text := date_text(value)) is not None:
        return text
    if isinstance(value, decimal.Decimal | float):
        return str(value).replace(".", ",")
    return value


def naive_local(moment):
    """An aware datetime as a naive local one: XLSX has no time zones."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)

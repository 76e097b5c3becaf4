"""Telling reviewers that work entered their queue (in-app notifications)."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from units.models import Role, Unit
from units.permissions import users_with_role_over

from .models import Notification


def tell_reviewers_on_commit(
    *,
    unit: Unit,
    text: str,
    values: dict,
    link: str,
    at: datetime,
    not_to: set[int | None],
) -> None:
    """After commit, notify every reviewer whose area covers the unit.

    `text` is a msgid (gettext_noop) written in the platform's language, since the
    note is stored and read later; `not_to` are the users it is never sent to (the
    sender, the learner, the reviewer whose decision is appealed). After commit:
    work that rolled back is nobody's work, and a failed note never undoes it.
    """
    unit_id = unit.pk

    def send() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            message = (_(text) % values)[:300]
        reviewers = users_with_role_over(
            Unit.objects.get(pk=unit_id), Role.Kind.REVIEWER
        )
        Notification.objects.bulk_create(
            [
                Notification(user_id=user_id, message=message, link=link, created_at=at)
                for user_id in reviewers
                if user_id not in not_to
            ]
        )

    transaction.on_commit(send)

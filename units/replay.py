"""A form that changes something is acted on once, however often it is sent.

Every such form carries a hidden single-use token (`{% form_token %}`, a fresh UUID
per rendering). The view is wrapped in `sent_once`: the first POST claims the token
in `SentForm`, the view runs, and the token is kept with where the view led. A
replay of that POST (a double tap on a slow phone, the browser's "resend", a
script) finds the token and is sent where the first one went, changing nothing. A
POST the view refused (a 4xx: a form error) gives its token back, so the corrected
form can be sent again. A token first sent by another account, or no token at
all, is refused: it cannot act for someone else's form.

Claiming happens in its own short transaction before the view runs, not around
it: views such as an import's apply commit chunk by chunk and must not be folded
into one transaction. Two copies racing meet at the token's primary key; the
second is told the first is still being processed.
"""

import uuid
from functools import wraps

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from .forms import posted_form_token
from .models import SentForm

# The form's hidden field; units/templatetags/form_tokens.py renders it.
FIELD = "form_token"


def new_form_token() -> uuid.UUID:
    return uuid.uuid4()


def _refused(request, message: str, *, status: int):
    return render(
        request,
        "errors/form_refused.html",
        {"message": message, "back": request.get_full_path()},
        status=status,
    )


def _claim(token: uuid.UUID, request) -> SentForm | None:
    """Claim the token for this request; return the earlier claim if there is one."""
    user = request.user if request.user.is_authenticated else None
    try:
        with transaction.atomic():
            SentForm.objects.create(
                token=token,
                user=user,
                path=request.path[:300],
                state=SentForm.State.PENDING,
                sent_at=timezone.now(),
            )
    except IntegrityError:
        return SentForm.objects.filter(token=token).first() or SentForm(
            token=token, state=SentForm.State.PENDING
        )
    return None


def sent_once(view):
    """Run the view for the first POST of a form token; answer replays without it."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        token = posted_form_token(request)
        if token is None:
            return _refused(
                request,
                _(
                    "This form is out of date or incomplete. Reload the page, "
                    "fill it in again and send it."
                ),
                status=400,
            )
        earlier = _claim(token, request)
        if earlier is not None:
            return _replayed(request, earlier)
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            SentForm.objects.filter(token=token).delete()
            raise
        if response.status_code >= 400:
            SentForm.objects.filter(token=token).delete()
        else:
            outcome = response.get("Location") or request.get_full_path()
            SentForm.objects.filter(token=token).update(
                state=SentForm.State.DONE, outcome=outcome[:300]
            )
        return response

    return guarded


def _replayed(request, earlier: SentForm):
    user_id = request.user.pk if request.user.is_authenticated else None
    if earlier.user_id != user_id:
        # Someone else's token: as unusable as a forged one, and it says nothing
        # about what the other form did.
        return _refused(
            request,
            _(
                "This form is out of date or incomplete. Reload the page, "
                "fill it in again and send it."
            ),
            status=400,
        )
    if earlier.state == SentForm.State.PENDING:
        return _refused(
            request,
            _(
                "This form is still being processed. Wait a moment, then open the "
                "page again to see the result; there is no need to send it again."
            ),
            status=409,
        )
    messages.info(request, _("This form had already been sent; nothing was changed."))
    return redirect(earlier.outcome or request.path, permanent=False)

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from units.audit import Origin, action_choices
from units.body_limits import body_limit
from units.forms import posted_form_token
from units.media import open_stored
from units.models import AuditEvent, Person, Role
from units.permissions import Action, can, can_somewhere, roles_of, units_where
from units.replay import sent_once
from units.search import read_search
from units.selectors import people_to_choose

from . import rules, selectors, services
from .forms import (
    MAX_PEOPLE_IN_SELECT,
    CommentForm,
    PointRuleForm,
    ReasonForm,
    SubmissionForm,
)
from .models import (
    ActivityType,
    Competition,
    Evidence,
    Notification,
    PointRule,
    Submission,
)
from .presentation import describe_flags, flagged_submission_ids


def _submission_for(user, action: Action, pk) -> Submission:
    """The submission if the user may act on its unit; a forged id is a 404."""
    try:
        submission = Submission.objects.select_related(
            "unit",
            "activity_type",
            "competition",
            "person",
            "submitted_by__person",
            "decided_by__person",
        ).get(pk=int(pk))
    except (Submission.DoesNotExist, TypeError, ValueError):
        raise Http404("submission") from None
    if not can(user, action, submission.unit):
        raise Http404("submission")
    return submission


def _submission_form(request, *, data=None, initial=None):
    units = units_where(request.user, Action.SUBMIT_ACHIEVEMENT).filter(is_active=True)
    competitions = selectors.running_competitions()
    people = people_to_choose(units, limit=MAX_PEOPLE_IN_SELECT)
    initial = dict(initial or {})
    # A village officer's own unit is chosen already (its sub-units, a digital team
    # say, stay in the list): one choice less on a phone.
    roles = roles_of(request.user)
    if "unit" not in initial and [kind for kind, _path in roles] == [Role.Kind.OFFICER]:
        own = units.filter(path=roles[0][1]).first()
        if own is not None:
            initial["unit"] = own.pk
    return SubmissionForm(
        data, initial=initial, units=units, competitions=competitions, people=people
    )


def _data_from(form) -> services.SubmissionData:
    values = form.cleaned_data
    return services.SubmissionData(
        competition=values["competition"],
        unit=values["unit"],
        activity_type=values["activity_type"],
        occurred_on=values["occurred_on"],
        quantity=values["quantity"],
        description=values["description"],
        person=values["person"],
    )


def _save_and_maybe_submit(request, form, *, submission=None):
    """Save the draft with its files; send it to review when asked. Returns (submission, error)."""
    now = timezone.now()
    origin = Origin.from_request(request)
    try:
        submission = services.save_draft(
            data=_data_from(form),
            by=request.user,
            at=now,
            origin=origin,
            submission=submission,
            form_token=posted_form_token(request),
        )
    except services.SubmissionError as error:
        return submission, error
    except (IntegrityError, ValueError):
        return submission, services.SubmissionError(
            _("The form was sent twice; reload the page.")
        )
    try:
        _stored, errors = services.add_evidence(
            submission=submission,
            uploads=request.FILES.getlist("evidence"),
            by=request.user,
            at=now,
        )
    except services.SubmissionError as error:
        return submission, error
    for message in errors:
        messages.error(request, message)
    if request.POST.get("action") == "submit" and not errors:
        try:
            services.submit_submission(
                submission=submission, by=request.user, at=now, origin=origin
            )
        except services.SubmissionError as error:
            return submission, error
        messages.success(request, _("Sent for review."))
    elif not errors:
        messages.success(request, _("Draft saved."))
    return submission, None


@login_required
@require_http_methods(["GET", "POST"])
@sent_once
@body_limit(lambda: settings.EVIDENCE_REQUEST_MAX_BYTES)
def submission_new(request):
    if not units_where(request.user, Action.SUBMIT_ACHIEVEMENT).exists():
        raise Http404("no unit")
    if request.method == "POST":
        form = _submission_form(request, data=request.POST)
        if form.is_valid():
            submission, error = _save_and_maybe_submit(request, form)
            if error is None:
                return redirect("competitions:submission", pk=submission.pk)
            form.add_error(None, str(error))
            if submission is not None:
                # The draft exists now: keep working on it at its own address.
                messages.error(request, str(error))
                return redirect("competitions:submission", pk=submission.pk)
        return render(
            request,
            "competitions/submission_form.html",
            {"form": form},
            status=400,
        )
    form = _submission_form(request, initial={"occurred_on": timezone.localdate()})
    return render(
        request,
        "competitions/submission_form.html",
        {"form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
@sent_once
@body_limit(lambda: settings.EVIDENCE_REQUEST_MAX_BYTES)
def submission_edit(request, pk):
    submission = _submission_for(request.user, Action.SUBMIT_ACHIEVEMENT, pk)
    if not submission.is_editable:
        return _detail(
            request,
            submission,
            error=services.SubmissionNotEditable(
                _("This submission can no longer be changed.")
            ),
        )
    if request.method == "POST":
        form = _submission_form(request, data=request.POST)
        if form.is_valid():
            _submission, error = _save_and_maybe_submit(
                request, form, submission=submission
            )
            if error is None:
                return redirect("competitions:submission", pk=submission.pk)
            form.add_error(None, str(error))
        return render(
            request,
            "competitions/submission_form.html",
            {"form": form, "submission": submission},
            status=400,
        )
    form = _submission_form(
        request,
        initial={
            "competition": submission.competition_id,
            "unit": submission.unit_id,
            "activity_type": submission.activity_type_id,
            "occurred_on": submission.occurred_on,
            "quantity": submission.quantity,
            "description": submission.description,
            "person": submission.person_id,
        },
    )
    return render(
        request,
        "competitions/submission_form.html",
        {"form": form, "submission": submission},
    )


def _detail(request, submission, *, error=None, reason_form=None, comment_form=None):
    user = request.user
    can_review = (
        can(user, Action.REVIEW_ACHIEVEMENT, submission.unit)
        and submission.submitted_by_id != user.pk
    )
    context = {
        "submission": submission,
        "evidence": list(submission.evidence.all()),
        "comments": list(submission.comments.select_related("author__person")),
        "history": list(
            AuditEvent.objects.filter(
                object_type="competitions.submission", object_id=submission.pk
            )
            .select_related("actor__person")
            .order_by("at", "pk")
        ),
        "entries": list(
            submission.entries.select_related("rule__activity_type").order_by(
                "created_at", "pk"
            )
        ),
        "flags": describe_flags(
            submission.flags,
            visible=selectors.viewable_submission_ids(
                user, flagged_submission_ids(submission.flags)
            ),
        ),
        "can_edit": submission.is_editable
        and can(user, Action.SUBMIT_ACHIEVEMENT, submission.unit),
        "can_review": can_review and submission.status == Submission.Status.SUBMITTED,
        "can_decide_appeal": can_review
        and submission.status == Submission.Status.APPEALED
        and submission.decided_by_id != user.pk,
        "can_appeal": submission.status == Submission.Status.REJECTED
        and submission.appealed_at is None
        and can(user, Action.SUBMIT_ACHIEVEMENT, submission.unit),
        "can_revoke": submission.status == Submission.Status.APPROVED
        and can(user, Action.MANAGE_RULES, submission.unit),
        "error": error,
        "reason_form": reason_form or ReasonForm(),
        "comment_form": comment_form or CommentForm(),
    }
    if context["can_review"]:
        rule = rules.rule_for(
            competition=submission.competition,
            activity_type=submission.activity_type,
            on=submission.occurred_on,
        )
        context["rule"] = rule
        if rule is not None:
            context["cap"] = rules.check_caps(
                rule=rule,
                unit=submission.unit,
                person=submission.person,
                on=submission.occurred_on,
            )
            context["points_if_approved"] = rule.points_for(submission.quantity)
    status = (
        error.status_code
        if error is not None
        else (
            400
            if (reason_form and reason_form.errors)
            or (comment_form and comment_form.errors)
            else 200
        )
    )
    return render(
        request, "competitions/submission_detail.html", context, status=status
    )


@login_required
@require_safe
def submission_detail(request, pk):
    return _detail(request, _submission_for(request.user, Action.VIEW_SUBMISSIONS, pk))


@login_required
@require_POST
@sent_once
def submission_submit(request, pk):
    submission = _submission_for(request.user, Action.SUBMIT_ACHIEVEMENT, pk)
    try:
        services.submit_submission(
            submission=submission,
            by=request.user,
            at=timezone.now(),
            origin=Origin.from_request(request),
        )
    except services.SubmissionError as error:
        return _detail(request, submission, error=error)
    messages.success(request, _("Sent for review."))
    return redirect("competitions:submission", pk=submission.pk)


@login_required
@require_POST
@sent_once
def submission_decide(request, pk):
    submission = _submission_for(request.user, Action.REVIEW_ACHIEVEMENT, pk)
    decision = request.POST.get("decision")
    now, origin = timezone.now(), Origin.from_request(request)
    try:
        if decision == "approve":
            services.approve_submission(
                submission=submission, reviewer=request.user, at=now, origin=origin
            )
            messages.success(request, _("Approved; the points are credited."))
        elif decision in ("reject", "return"):
            form = ReasonForm(request.POST)
            if not form.is_valid():
                return _detail(request, submission, reason_form=form)
            verb = (
                services.reject_submission
                if decision == "reject"
                else services.return_submission
            )
            verb(
                submission=submission,
                reviewer=request.user,
                reason=form.cleaned_data["reason"],
                at=now,
                origin=origin,
            )
            messages.success(
                request,
                _("Rejected.") if decision == "reject" else _("Returned to the unit."),
            )
        else:
            return _detail(
                request,
                submission,
                error=services.SubmissionError(_("Choose approve, reject or return.")),
            )
    except services.SubmissionError as error:
        submission.refresh_from_db()
        return _detail(request, submission, error=error)
    return redirect("competitions:review")


def _with_reason(request, pk, *, action: Action, verb, done: str):
    """Run a submission verb that needs a written reason; errors stay on the page."""
    submission = _submission_for(request.user, action, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _detail(request, submission, reason_form=form)
    try:
        verb(
            submission=submission,
            by=request.user,
            reason=form.cleaned_data["reason"],
            at=timezone.now(),
            origin=Origin.from_request(request),
        )
    except services.SubmissionError as error:
        return _detail(request, submission, error=error)
    messages.success(request, done)
    return redirect("competitions:submission", pk=submission.pk)


@login_required
@require_POST
@sent_once
def submission_appeal(request, pk):
    return _with_reason(
        request,
        pk,
        action=Action.SUBMIT_ACHIEVEMENT,
        verb=services.appeal_submission,
        done=_("Appeal sent; another reviewer will decide."),
    )


@login_required
@require_POST
@sent_once
def appeal_decide(request, pk):
    submission = _submission_for(request.user, Action.REVIEW_ACHIEVEMENT, pk)
    uphold = request.POST.get("decision") == "uphold"
    reason = request.POST.get("reason", "")[:2000]
    try:
        services.decide_appeal(
            submission=submission,
            reviewer=request.user,
            uphold_rejection=uphold,
            reason=reason,
            at=timezone.now(),
            origin=Origin.from_request(request),
        )
    except services.SubmissionError as error:
        submission.refresh_from_db()
        return _detail(request, submission, error=error)
    messages.success(request, _("The appeal is decided."))
    return redirect("competitions:submission", pk=submission.pk)


@login_required
@require_POST
@sent_once
def submission_revoke(request, pk):
    return _with_reason(
        request,
        pk,
        action=Action.MANAGE_RULES,
        verb=services.revoke_entries,
        done=_("The points of this submission were revoked."),
    )


@login_required
@require_POST
@sent_once
def submission_comment(request, pk):
    submission = _submission_for(request.user, Action.VIEW_SUBMISSIONS, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _detail(request, submission, comment_form=form)
    services.add_comment(
        submission=submission,
        author=request.user,
        body=form.cleaned_data["body"],
        at=timezone.now(),
    )
    return redirect("competitions:submission", pk=submission.pk)


def _evidence_for(user, action: Action, pk) -> Evidence:
    try:
        evidence = Evidence.objects.select_related("submission__unit").get(pk=int(pk))
    except (Evidence.DoesNotExist, TypeError, ValueError):
        raise Http404("evidence") from None
    if not can(user, action, evidence.submission.unit):
        raise Http404("evidence")
    return evidence


@login_required
@require_safe
def evidence_file(request, pk):
    """Serve an evidence file to people allowed to see its submission, never publicly."""
    evidence = _evidence_for(request.user, Action.VIEW_SUBMISSIONS, pk)
    content_type = (
        "image/jpeg" if evidence.kind == Evidence.Kind.PHOTO else "application/pdf"
    )
    response = FileResponse(open_stored(evidence.file), content_type=content_type)
    if evidence.kind == Evidence.Kind.DOCUMENT:
        response["Content-Disposition"] = 'attachment; filename="minh-chung.pdf"'
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
@sent_once
def evidence_delete(request, pk):
    evidence = _evidence_for(request.user, Action.SUBMIT_ACHIEVEMENT, pk)
    submission = evidence.submission
    try:
        services.remove_evidence(evidence=evidence, by=request.user)
    except services.SubmissionError as error:
        return _detail(request, submission, error=error)
    return redirect("competitions:submission_edit", pk=submission.pk)


@login_required
@require_safe
def submission_list(request):
    units = units_where(request.user, Action.VIEW_SUBMISSIONS)
    if not can_somewhere(request.user, Action.VIEW_SUBMISSIONS):
        # Nothing to list without a role: not a page of theirs, like the queue.
        raise Http404("no submissions scope")
    submissions = selectors.submissions_of_units(units)
    status = request.GET.get("status", "")
    if status in Submission.Status.values:
        submissions = submissions.filter(status=status)
    page = Paginator(submissions, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "competitions/submission_list.html",
        {
            "page": page,
            "status": status,
            "statuses": Submission.Status.choices,
            "can_submit": units_where(request.user, Action.SUBMIT_ACHIEVEMENT).exists(),
        },
    )


@login_required
@require_safe
def review_queue(request):
    units = units_where(request.user, Action.REVIEW_ACHIEVEMENT)
    if not units.exists():
        raise Http404("not a reviewer")

    def pick(model, key):
        try:
            return (
                model.objects.get(pk=int(request.GET[key]))
                if request.GET.get(key)
                else None
            )
        except (model.DoesNotExist, ValueError):
            return None

    search = read_search(request.GET.get("q"))
    filters = {
        "competition": pick(Competition, "competition"),
        "activity_type": pick(ActivityType, "activity"),
        "status": request.GET.get("status") or None,
        "flagged": request.GET.get("flagged") == "1",
        "query": search.text,
    }
    queue = selectors.review_queue(units, **filters).exclude(submitted_by=request.user)
    kept = request.GET.copy()  # the filters, for the pagination's links
    kept.pop("page", None)
    page = Paginator(queue, 25).get_page(request.GET.get("page"))
    pointed_to = set().union(*(flagged_submission_ids(s.flags) for s in page))
    visible = selectors.viewable_submission_ids(request.user, pointed_to)
    for submission in page:
        submission.flag_texts = describe_flags(submission.flags, visible=visible)
    return render(
        request,
        "competitions/review_queue.html",
        {
            "page": page,
            "filters": filters,
            "search_note": search.note,
            "competitions": Competition.objects.all(),
            "activities": ActivityType.objects.filter(is_active=True),
            "query_string": request.GET.urlencode(),
            "page_query": kept.urlencode(),
        },
    )


# A reviewer ticks the submissions of one page of the queue (25); more than this in
# one request is not a person's selection.
MAX_BULK_APPROVALS = 100


@login_required
@require_POST
@sent_once
def review_approve(request):
    """Approve the ticked submissions, each on its own; say which were not and why."""
    if not can_somewhere(request.user, Action.REVIEW_ACHIEVEMENT):
        raise Http404("not a reviewer")
    ids = []
    for value in request.POST.getlist("submission")[:MAX_BULK_APPROVALS]:
        try:
            ids.append(int(value))
        except ValueError:
            continue
    found = {
        submission.pk: submission
        for submission in Submission.objects.filter(pk__in=ids).select_related(
            "unit", "activity_type"
        )
        # Another area's submission answers exactly like a missing one.
        if can(request.user, Action.REVIEW_ACHIEVEMENT, submission.unit)
    }
    missing = [pk for pk in dict.fromkeys(ids) if pk not in found]
    back = reverse("competitions:review")
    query = request.GET.urlencode()
    if query:
        back += "?" + query
    if not ids:
        messages.error(request, _("Tick the submissions to approve first."))
        return redirect(back)
    result = services.approve_submissions(
        submissions=[found[pk] for pk in dict.fromkeys(ids) if pk in found],
        reviewer=request.user,
        at=timezone.now(),
        origin=Origin.from_request(request),
    )
    if result.approved:
        messages.success(
            request,
            ngettext(
                "%(count)s submission approved; its points are credited.",
                "%(count)s submissions approved; their points are credited.",
                len(result.approved),
            )
            % {"count": number_format(len(result.approved), force_grouping=True)},
        )
    for submission, why in result.refused:
        messages.error(
            request,
            _("Not approved: %(title)s, %(unit)s. %(why)s")
            % {
                "title": services.submission_title(submission),
                "unit": submission.unit.name,
                "why": why,
            },
        )
    if missing:
        messages.error(
            request,
            ngettext(
                "%(count)s ticked submission was not found in your area; nothing "
                "was done with it.",
                "%(count)s ticked submissions were not found in your area; nothing "
                "was done with them.",
                len(missing),
            )
            % {"count": len(missing)},
        )
    return redirect(back)


@login_required
@require_safe
def my_points(request):
    """The signed-in person's own points page (the footer links here on every page,
    so the page itself looks the person up, not every page)."""
    person = Person.objects.filter(user=request.user).first()
    if person is None:
        messages.info(
            request,
            _("Your account is not linked to a person yet; ask your unit officer."),
        )
        return redirect("units:mine")
    return redirect("competitions:person_points", pk=person.pk)


@login_required
@require_safe
def person_points(request, pk):
    """Why a person has their points: every ledger line, explained."""
    try:
        person = Person.objects.get(pk=int(pk))
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404("person") from None
    is_self = person.user_id == request.user.pk
    in_scope = any(
        can(request.user, Action.VIEW_MEMBERS, m.unit)
        for m in person.memberships.select_related("unit")
    )
    if not (is_self or in_scope):
        raise Http404("person")
    entries = selectors.person_history(person)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    totals = [
        {
            "competition": competition,
            "total": selectors.person_total(person, competition),
        }
        for competition in Competition.objects.filter(entries__person=person).distinct()
    ]
    return render(
        request,
        "competitions/person_points.html",
        {"person": person, "page": page, "totals": totals},
    )


@login_required
@require_safe
def audit_log(request):
    units = units_where(request.user, Action.VIEW_AUDIT)
    if not units.exists():
        raise Http404("no audit scope")
    events = (
        AuditEvent.objects.filter(unit__in=units)
        .select_related("actor__person", "unit")
        .order_by("-at", "-pk")
    )
    choices = action_choices()
    action = request.GET.get("action", "")
    if action in dict(choices):
        events = events.filter(action=action)
    else:
        action = ""
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "competitions/audit_log.html",
        {
            "page": page,
            "action": action,
            "actions": choices,
            "page_query": urlencode({"action": action}) if action else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@sent_once
def notifications(request):
    mine = Notification.objects.filter(user=request.user)
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("competitions:notifications")
    page = Paginator(mine, 30).get_page(request.GET.get("page"))
    return render(request, "competitions/notifications.html", {"page": page})


@require_safe
def competition_list(request):
    return render(
        request,
        "competitions/competition_list.html",
        {
            "competitions": Competition.objects.select_related("scope_unit").order_by(
                "-starts_on", "pk"
            )
        },
    )


def _competition(pk) -> Competition:
    try:
        return Competition.objects.select_related("scope_unit").get(pk=int(pk))
    except (Competition.DoesNotExist, ValueError, TypeError):
        raise Http404("competition") from None


@require_safe
def competition_detail(request, pk):
    competition = _competition(pk)
    return render(
        request,
        "competitions/competition_detail.html",
        {
            "competition": competition,
            "rules": competition.rules.select_related("activity_type").order_by(
                "activity_type__name", "-version"
            ),
            "can_manage": can(
                request.user, Action.MANAGE_RULES, competition.scope_unit
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@sent_once
def rule_new(request, pk):
    competition = _competition(pk)
    if not can(request.user, Action.MANAGE_RULES, competition.scope_unit):
        raise Http404("competition")
    form = PointRuleForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            rule = form.save(commit=False)
            rule.competition = competition
            rule.created_by = request.user
            with transaction.atomic():
                rule.version = rules.next_version(
                    competition=competition, activity_type=rule.activity_type
                )
                try:
                    with transaction.atomic():
                        rule.save()
                except IntegrityError:
                    form.add_error(
                        "effective_from",
                        _("A version of this rule already applies from that date."),
                    )
            if rule.pk:
                messages.success(
                    request,
                    _("Rule version %(version)d saved.") % {"version": rule.version},
                )
                return redirect("competitions:rule_recalculate", pk=rule.pk)
        return render(
            request,
            "competitions/rule_form.html",
            {"form": form, "competition": competition},
            status=400,
        )
    return render(
        request,
        "competitions/rule_form.html",
        {"form": form, "competition": competition},
    )


@login_required
@require_http_methods(["GET", "POST"])
@sent_once
def rule_recalculate(request, pk):
    try:
        rule = PointRule.objects.select_related(
            "competition__scope_unit", "activity_type"
        ).get(pk=int(pk))
    except (PointRule.DoesNotExist, ValueError, TypeError):
        raise Http404("rule") from None
    if not can(request.user, Action.MANAGE_RULES, rule.competition.scope_unit):
        raise Http404("rule")
    if request.method == "POST":
        changes = rules.apply_recalculation(
            rule=rule, by=request.user, at=timezone.now()
        )
        messages.success(
            request, _("%(count)d entries recalculated.") % {"count": len(changes)}
        )
        return redirect("competitions:competition", pk=rule.competition_id)
    changes = rules.preview_recalculation(rule=rule)
    return render(
        request,
        "competitions/rule_recalculate.html",
        {
            "rule": rule,
            "changes": changes,
            "difference": sum(c.difference for c in changes),
        },
    )

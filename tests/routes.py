"""The pages of the URL conf, found by walking the resolver, and the demo they are
requested on: shared by the page tests (tests/test_security_headers.py,
tests/test_pages_read_well.py) and the browser's reflow and navigation tests.

A new view is requested by these tests without being listed (or is named in
NOT_A_PAGE with its reason); a view with parameters gets its URL from page_urls().
"""

from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, models
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern
from django.utils import timezone

from badges.models import Assertion
from competitions.models import (
    ActivityType,
    Competition,
    Evidence,
    PointRule,
    Submission,
)
from learning.imports import preview_import
from learning.integrations import create_integration
from learning.models import (
    ClassSession,
    Completion,
    Household,
    ImportBatch,
    Integration,
    MentorInvite,
    Training,
)
from tests.badges.conftest import session_signing_key
from tests.competitions.conftest import make_submission
from units.audit import Origin
from units.models import Person, Unit

# Patterns that answer GET with something other than an HTML page for the
# administrator, and why; a pattern missing here must answer 200 with HTML.
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

NOT_A_PAGE = {
    "admin:badges_assertion_add": "refused: awards come from evaluation or /badges/award/",
    "admin:badges_assertion_delete": "refused: an award is revoked, never deleted",
    "learning:checkin": "410 until the code projected now is scanned (test_sessions.py)",
    "badges:issuer": "JSON-LD; a browser is sent on to the unit's badge wall",
    "healthz": "JSON",
    "metrics": "Prometheus text, 404 without the metrics token (test_observability.py)",
    "competitions:ledger_blocks_json": "JSON: the sealed blocks' digests",
    "leaderboards:api_list": "JSON",
    "leaderboards:api_board": "JSON",
    "leaderboards:api_overview": "JSON",
    "learning:api_completions": "JSON API, POST with a bearer token",
    "learning:openapi": "JSON",
    "learning:import_template": "CSV download",
    "learning:import_errors": "CSV download",
    "competitions:evidence": "the evidence file (its own sandboxing policy)",
    "competitions:my_points": "redirects to the person's own points page",
    "learning:certificate": "the certificate photo (its own sandboxing policy)",
    "set_language": "POST only",
    "choose_language": "sets the language cookie and redirects",
    "account_confirm_login_code": "redirects: no sign-in code was asked for",
    "account_reset_password_from_key_done": "redirects when signed in",
    "account_reset_password_done": "redirects when signed in",
    "account_email_verification_sent": "redirects when the address is verified",
    "account_set_password": "redirects: the account has a password",
    "account_reauthenticate": "redirects: just signed in",
    "account_signup": "redirects when signed in",
    "account_login": "redirects when signed in (rendered for the visitor)",
    "account_reset_password": "redirects when signed in (rendered for the visitor)",
    "competitions:submission_submit": "POST only",
    "competitions:submission_decide": "POST only",
    "competitions:review_approve": "POST only",
    "competitions:submission_appeal": "POST only",
    "competitions:appeal_decide": "POST only",
    "competitions:submission_revoke": "POST only",
    "competitions:submission_comment": "POST only",
    "competitions:evidence_delete": "POST only",
    "learning:completion_decide": "POST only",
    "learning:checkin_decide": "POST only",
    "learning:session_code": "JSON: the code projected now",
    "learning:checkin_scan": "remembers the scan and redirects to the check-in",
    "badges:class_image": "PNG",
    "badges:key": "JSON: the issuer's public key",
    "badges:revocations": "JSON-LD: the revocation list",
    "badges:assertion_image": "PNG",
    "badges:assertion_jwt": "the signed credential",
    "badges:assertion_credential_png": "PNG",
    "badges:assertion_preview": "PNG",
    "badges:person_wall_preview": "PNG",
    "badges:unit_wall_preview": "PNG",
    "badges:board_preview": "PNG",
    "badges:api_recent": "JSON",
    "learning:import_apply": "POST only",
    "learning:integration_revoke": "POST only",
    "admin:login": "sends to allauth's sign-in",
    # The ledger and what credits it are append-only: the admin refuses changes.
    "admin:competitions_pointrule_delete": "403: a rule is never deleted",
    "campaigns:checkin": "404 but to members of an enrolled branch (test_campaign_journey)",
    "admin:competitions_competition_delete": "403: a competition is closed, not deleted",
    "admin:competitions_pointentry_add": "403: the ledger is append-only",
    "admin:competitions_pointentry_delete": "403: the ledger is append-only",
    "admin:learning_completion_add": "403: completions are recorded, not added",
    "admin:learning_completion_delete": "403: a completion is reversed, not deleted",
    "admin:learning_integration_add": "403: created on /learning/integrations/",
    "admin:learning_integration_delete": "403: an integration is revoked",
    "admin:logout": "POST only",
    "admin:autocomplete": "JSON",
    "admin:jsi18n": "JavaScript",
    "admin:javascript-catalog": "JavaScript",
    "admin:view_on_site": "redirects to the object's page",
    "admin/units/unit/move/": "treebeard's drag and drop, POST only",
    "admin/units/unit/children/<str:parent_id>/": "treebeard's rows, a fragment",
    "admin/(?P<url>.*)$": "the admin's catch-all 404",
    "pages:design": "404 unless DEBUG: the design system's reference (tests/pages)",
    "pages:manifest": "the web app manifest (JSON)",
    "pages:service_worker": "JavaScript: the service worker",
    "commendations:honour_preview": "PNG",
    "commendations:award_preview": "PNG",
    "commendations:certificate_png": "PNG",
    "commendations:certificate_pdf": "PDF",
    "commendations:decision_annex": "XLSX",
    "commendations:review_letter_docx": ".docx",
    "commendations:review_xlsx": "XLSX",
    "commendations:nomination_report": ".docx",
    "commendations:session_minutes_docx": ".docx",
    "commendations:review_close": "POST only",
    "commendations:review_submit": "POST only",
    "commendations:review_dossiers": "POST only",
    "commendations:nomination_edit": "POST only",
    "commendations:nomination_submit": "POST only",
    "commendations:nomination_return": "POST only",
    "commendations:session_attendance": "POST only",
    "commendations:session_agenda": "POST only",
    "commendations:session_vote": "POST only",
    "commendations:session_close": "POST only",
    "admin:commendations_awarddecision_add": "403: recorded after the council's vote",
    "campaigns:photo": "JPEG: a verified check-in's photo",
    "campaigns:enrol": "POST only",
    "campaigns:code": "POST only",
    "campaigns:targets": "POST only",
    "campaigns:verify": "POST only",
    "campaigns:close": "POST only",
    "admin:commendations_awarddecision_delete": "403: a decision is never deleted",
    "reports:progress_index": "redirects to the province's progress page",
    "reports:progress_preview": "PNG",
    "reports:report_xlsx": "XLSX",
    "reports:report_csv": "CSV download",
    "reports:report_docx": ".docx",
}


@dataclass(frozen=True)
class Route:
    key: str  # the pattern's name, or its route when it has none
    route: str
    has_parameters: bool


def routes(patterns=None, prefix="", namespace="") -> list[Route]:
    """Every URL pattern of the project, with its full route."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            found += routes(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            parameters = isinstance(pattern.pattern, RegexPattern) or "<" in route
            key = f"{namespace}{pattern.name}" if pattern.name else route
            found.append(Route(key, route, parameters))
    return found


def _last(model):
    # The newest object: in the demo, a leaf (cheap to render in the admin's delete
    # page), not the province with everything under it.
    return model.objects.order_by("-pk").first()


def admin_object_url(route: Route) -> str | None:
    """The page of the newest object for the admin's per-object routes."""
    for model in admin.site._registry:
        base = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        if not route.route.startswith(base):
            continue
        obj = _last(model)
        assert obj is not None, f"the demo has no {model.__name__} for {route.route}"
        return "/" + route.route.replace("<path:object_id>", str(obj.pk)).replace(
            "<id>", str(obj.pk)
        )
    return None


def page_urls(demo) -> dict[str, str]:
    """The URL to request for each parametrised page, from the demo's objects."""
    ke_sat = Unit.objects.get(name="Xã Kê Sặt")
    rule = PointRule.objects.order_by("pk").first()
    submission = Submission.objects.filter(evidence__isnull=False).order_by("pk")[0]
    evidence = Evidence.objects.filter(submission=submission).order_by("pk")[0]
    draft = Submission.objects.filter(status__in=Submission.EDITABLE).order_by("pk")[0]
    session = ClassSession.objects.order_by("-pk").first()
    completion = Completion.objects.exclude(certificate="").order_by("pk").first()
    batch = ImportBatch.objects.order_by("pk").first()
    integration = Integration.objects.order_by("pk").first()
    invite = MentorInvite.objects.filter(used_at__isnull=True).order_by("pk").first()
    household = Household.objects.order_by("pk").first()
    board = f"{rule.competition_id}-{ke_sat.pk}-village-week-points"
    assertion = Assertion.objects.order_by("pk").first()
    return {
        "learning:session_projector": f"/learning/sessions/{session.pk}/projector/",
        "badges:class": f"/badges/classes/{assertion.badge_class_id}/",
        "badges:issuer": f"/badges/issuers/{ke_sat.pk}/",
        "badges:assertion": f"/badges/assertions/{assertion.uid}/",
        "badges:revoke": f"/badges/assertions/{assertion.uid}/revoke/",
        "badges:person_wall": f"/badges/people/{demo['person'].pk}/",
        "badges:unit_wall": f"/badges/units/{ke_sat.pk}/",
        "learning:session_code": f"/learning/sessions/{session.pk}/checkin-code/",
        "learning:checkin_decide": f"/learning/sessions/{session.pk}/checkins/1/",
        "learning:checkin_scan": f"/learning/checkin/{session.checkin_token}/x/",
        "badges:class_image": f"/badges/classes/{assertion.badge_class_id}/image.png",
        "badges:key": "/badges/keys/" + "A" * 43 + "/",
        "badges:revocations": f"/badges/issuers/{ke_sat.pk}/revocations/",
        "badges:assertion_image": f"/badges/assertions/{assertion.uid}/image.png",
        "badges:assertion_jwt": f"/badges/assertions/{assertion.uid}/credential.jwt",
        "badges:assertion_credential_png": (
            f"/badges/assertions/{assertion.uid}/credential.png"
        ),
        "badges:assertion_preview": f"/badges/assertions/{assertion.uid}/preview.png",
        "badges:person_wall_preview": f"/badges/people/{demo['person'].pk}/preview.png",
        "badges:unit_wall_preview": f"/badges/units/{ke_sat.pk}/preview.png",
        "badges:board_preview": f"/badges/previews/boards/{board}.png",
        "account_confirm_email": "/accounts/confirm-email/not-a-key/",
        "account_reset_password_from_key": "/accounts/password/reset/key/1-not-a-key/",
        "admin:app_list": "/admin/units/",
        "choose_language": "/i18n/choose/vi/?next=/",
        "units:detail": f"/units/{ke_sat.pk}/",
        "units:members": f"/units/{ke_sat.pk}/members/",
        "units:headcounts": f"/units/{ke_sat.pk}/headcounts/",
        "units:move": f"/units/{ke_sat.pk}/move/",
        "leaderboards:board": f"/leaderboards/{board}/",
        "leaderboards:poster": f"/leaderboards/{board}/poster/",
        "leaderboards:api_board": f"/api/v1/leaderboards/{board}/",
        "leaderboards:api_overview": f"/api/v1/overview/{rule.competition_id}-{ke_sat.pk}/",
        "competitions:competition": f"/competitions/{rule.competition_id}/",
        "competitions:rule_new": f"/competitions/{rule.competition_id}/rules/new/",
        "competitions:rule_recalculate": f"/rules/{rule.pk}/recalculate/",
        "competitions:submission": f"/submissions/{submission.pk}/",
        "competitions:submission_edit": f"/submissions/{draft.pk}/edit/",
        "competitions:submission_submit": f"/submissions/{submission.pk}/submit/",
        "competitions:submission_decide": f"/submissions/{submission.pk}/decide/",
        "competitions:submission_appeal": f"/submissions/{submission.pk}/appeal/",
        "competitions:appeal_decide": f"/submissions/{submission.pk}/appeal/decide/",
        "competitions:submission_revoke": f"/submissions/{submission.pk}/revoke/",
        "competitions:submission_comment": f"/submissions/{submission.pk}/comments/",
        "competitions:evidence": f"/evidence/{evidence.pk}/",
        "competitions:evidence_delete": f"/evidence/{evidence.pk}/delete/",
        "competitions:person_points": f"/people/{demo['person'].pk}/points/",
        "learning:training": f"/learning/trainings/{Training.objects.order_by('pk')[0].pk}/",
        "learning:completion": f"/learning/completions/{completion.pk}/",
        "learning:certificate": f"/learning/completions/{completion.pk}/certificate/",
        "learning:completion_decide": f"/learning/completions/{completion.pk}/decide/",
        "learning:session": f"/learning/sessions/{session.pk}/",
        "learning:checkin": f"/learning/checkin/{session.checkin_token}/",
        "learning:import": f"/learning/imports/{batch.pk}/",
        "learning:import_apply": f"/learning/imports/{batch.pk}/apply/",
        "learning:import_errors": f"/learning/imports/{batch.pk}/errors.csv",
        "learning:invite": f"/learning/invite/{invite.token}/",
        "learning:households": f"/learning/units/{household.unit_id}/households/",
        "learning:household": f"/learning/households/{household.pk}/",
        "learning:integration_revoke": f"/learning/integrations/{integration.pk}/revoke/",
        **commendation_urls(),
        **campaign_urls(),
        **report_urls(ke_sat),
        "admin:view_on_site": "/admin/r/1/1/",
        "admin/units/unit/children/<str:parent_id>/": f"/admin/units/unit/children/{ke_sat.pk}/",
        "admin/(?P<url>.*)$": "/admin/nowhere/",
    }


def campaign_urls() -> dict[str, str]:
    from campaigns.models import Campaign

    running = Campaign.objects.filter(status="running").order_by("pk").first()
    closed = Campaign.objects.filter(status="closed").order_by("pk").first()
    check_in = (
        Submission.objects.filter(
            competition=closed.competition, status="approved", evidence__isnull=False
        )
        .order_by("pk")
        .first()
    )
    return {
        "campaigns:campaign": f"/campaigns/{running.pk}/",
        "campaigns:screen": f"/campaigns/{closed.pk}/screen/",
        "campaigns:manage": f"/campaigns/{running.pk}/manage/",
        "campaigns:checkin": f"/campaigns/{running.pk}/checkin/",
        "campaigns:photo": f"/campaigns/{closed.pk}/checkins/{check_in.pk}/photo.jpg",
        "campaigns:enrol": f"/campaigns/{running.pk}/enrol/",
        "campaigns:code": f"/campaigns/{running.pk}/code/",
        "campaigns:targets": f"/campaigns/{running.pk}/targets/",
        "campaigns:verify": f"/campaigns/{running.pk}/checkins/{check_in.pk}/verify/",
        "campaigns:close": f"/campaigns/{running.pk}/close/",
    }


def report_urls(ke_sat) -> dict[str, str]:
    from reports.models import Report

    report = Report.objects.filter(unit=ke_sat).order_by("pk").first()
    province = Unit.objects.get(kind=Unit.Kind.PROVINCE, code="31")
    return {
        "reports:dashboard": f"/reports/units/{ke_sat.pk}/",
        "reports:targets": f"/reports/units/{ke_sat.pk}/targets/",
        "reports:report_new": f"/reports/units/{ke_sat.pk}/new/",
        "reports:report": f"/reports/{report.pk}/",
        "reports:report_xlsx": f"/reports/{report.pk}/report.xlsx",
        "reports:report_csv": f"/reports/{report.pk}/report.csv",
        "reports:report_docx": f"/reports/{report.pk}/report.docx",
        "reports:progress": f"/progress/{province.pk}/",
        "reports:progress_preview": f"/progress/{province.pk}/preview.png",
    }


def commendation_urls() -> dict[str, str]:
    from commendations.models import (
        Award,
        AwardDecision,
        Council,
        CouncilSession,
        Nomination,
        Review,
    )

    award = Award.objects.order_by("pk").first()
    review = Review.objects.order_by("pk").first()
    nomination = Nomination.objects.order_by("pk").first()
    session = CouncilSession.objects.order_by("pk").first()
    council = Council.objects.order_by("pk").first()
    decision = AwardDecision.objects.order_by("pk").first()
    item = session.items.order_by("pk").first()
    return {
        "commendations:award": f"/honour/awards/{award.uid}/",
        "commendations:award_preview": f"/honour/awards/{award.uid}/preview.png",
        "commendations:certificate_png": f"/honour/awards/{award.uid}/certificate.png",
        "commendations:certificate_pdf": f"/honour/awards/{award.uid}/certificate.pdf",
        "commendations:decision": f"/honour/decisions/{decision.uid}/",
        "commendations:decision_annex": f"/honour/decisions/{decision.uid}/annex.xlsx",
        "commendations:review": f"/commendations/reviews/{review.pk}/",
        "commendations:review_close": f"/commendations/reviews/{review.pk}/close/",
        "commendations:review_submit": f"/commendations/reviews/{review.pk}/submit/",
        "commendations:review_dossiers": f"/commendations/reviews/{review.pk}/dossiers/",
        "commendations:review_letter": f"/commendations/reviews/{review.pk}/letter/",
        "commendations:review_letter_docx": (
            f"/commendations/reviews/{review.pk}/letter.docx"
        ),
        "commendations:review_xlsx": f"/commendations/reviews/{review.pk}/nominees.xlsx",
        "commendations:nomination": f"/commendations/nominations/{nomination.uid}/",
        "commendations:nomination_edit": (
            f"/commendations/nominations/{nomination.uid}/edit/"
        ),
        "commendations:nomination_submit": (
            f"/commendations/nominations/{nomination.uid}/submit/"
        ),
        "commendations:nomination_return": (
            f"/commendations/nominations/{nomination.uid}/return/"
        ),
        "commendations:nomination_report": (
            f"/commendations/nominations/{nomination.uid}/report.docx"
        ),
        "commendations:council": f"/commendations/councils/{council.pk}/",
        "commendations:decision_new": f"/commendations/councils/{council.pk}/decide/",
        "commendations:session": f"/commendations/sessions/{session.pk}/",
        "commendations:session_attendance": (
            f"/commendations/sessions/{session.pk}/attendance/"
        ),
        "commendations:session_agenda": f"/commendations/sessions/{session.pk}/agenda/",
        "commendations:session_vote": (
            f"/commendations/sessions/{session.pk}/items/{item.pk}/vote/"
        ),
        "commendations:session_close": f"/commendations/sessions/{session.pk}/close/",
        "commendations:session_minutes": f"/commendations/sessions/{session.pk}/minutes/",
        "commendations:session_minutes_docx": (
            f"/commendations/sessions/{session.pk}/minutes.docx"
        ),
        "commendations:award_revoke": f"/commendations/awards/{award.uid}/revoke/",
    }


def not_a_page(route: Route) -> str | None:
    """Why the route answers the administrator with something else than a page."""
    if route.key in NOT_A_PAGE:
        return NOT_A_PAGE[route.key]
    if route.key.startswith("admin/") and route.key.endswith("/<path:object_id>/"):
        return "the admin's old object address, redirects to its change page"
    return None


def url_of(route: Route, urls: dict[str, str]) -> str:
    if route.key in urls:
        return urls[route.key]
    if not route.has_parameters:
        return "/" + route.route
    url = admin_object_url(route)
    assert url is not None, (
        f"{route.key} ({route.route}) takes parameters: add the URL to request "
        "to page_urls() in tests/test_security_headers.py"
    )
    return url


# Every table's ids start above this in the demo the page tests use, so that an id
# written into a page with the thousands separator (USE_THOUSAND_SEPARATOR: "100.017")
# shows as such instead of hiding below 1,000.
FIRST_ID = 100_000


def start_ids_at(first: int) -> None:
    """Make every table with an automatic id hand out ids above `first` (never
    lower than it already does: PostgreSQL's sequences outlive a rollback)."""
    with connection.cursor() as cursor:
        for model in apps.get_models():
            pk = model._meta.pk
            if not isinstance(pk, models.AutoField | models.BigAutoField):
                continue
            table = model._meta.db_table
            if connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s",
                    [table],
                )
                current = cursor.fetchone()[0]
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                    [table, max(first, current)],
                )
            elif connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT setval(s, GREATEST(%s, COALESCE(("
                    " SELECT last_value FROM pg_sequences"
                    " WHERE format('%%I.%%I', schemaname, sequencename) = s), 0)))"
                    " FROM pg_get_serial_sequence(%s, %s) AS s",
                    [first, table, pk.column],
                )


def seed_demo_province() -> None:
    """The demo province of `seed_demo` (its ids above FIRST_ID)."""
    start_ids_at(FIRST_ID)
    call_command("seed_demo", verbosity=0)


def complete_demo() -> dict:
    """Add what the demo does not hold (an import with a row in error, a draft, a
    group and an integration); return the objects page_urls() needs."""
    administrator = get_user_model().objects.get(username="quantri")
    ke_sat = Unit.objects.get(name="Xã Kê Sặt")
    now = timezone.now()
    if not ImportBatch.objects.exists():
        preview_import(
            unit=ke_sat,
            by=administrator,
            file_name="mooc.csv",
            data="Họ và tên,Ngày sinh,Mã khóa học,Ngày hoàn thành\n"
            "Nguyễn Văn A,01/01/1990,course-v1:X+Y+Z,không phải ngày\n".encode(),
            at=now,
        )
    if not Submission.objects.filter(status__in=Submission.EDITABLE).exists():
        officer = get_user_model().objects.get(username="canbo")
        make_submission(
            officer=officer,
            unit=officer.unit_roles.get().unit,
            competition=Competition.objects.filter(status="running").order_by("pk")[0],
            activity_type=ActivityType.objects.get(code="community-class"),
            submit=False,
        )
    if not Group.objects.exists():
        Group.objects.create(name="Ban chỉ đạo")
    if not Integration.objects.exists():
        create_integration(
            name="MOOC", unit=ke_sat, by=administrator, at=now, origin=Origin()
        )
    return {
        "administrator": administrator,
        "person": Person.objects.filter(user__username="hocvien").get(),
    }


@pytest.fixture
def demo(demo_province, db, settings):
    """The demo province (seeded once per test class, tests/conftest.py), completed."""
    settings.MEDIA_ROOT = demo_province
    settings.BADGES_SIGNING_KEY = session_signing_key()
    settings.DEBUG = False
    return complete_demo()


def visit_every_page(client, demo):
    """Request every page; return (route, url, response) for each."""
    urls = page_urls(demo)
    visited = []
    for route in routes():
        url = url_of(route, urls)
        # As a browser asks: pages with a JSON-LD twin (badges) answer by Accept.
        visited.append((route, url, client.get(url, HTTP_ACCEPT=BROWSER_ACCEPT)))
    return visited

"""Badge classes are edited here: a draft freely, a published version never (make a
new version, edit it, publish it: publishing awards everyone who already qualifies,
within seconds, by the scheduled job `badges.publish`)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from units.audit import Origin

from . import criteria, services
from .models import Assertion, BadgeClass


@admin.register(BadgeClass)
class BadgeClassAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "version", "recipient", "status", "evaluated_at")
    list_filter = ("status", "recipient")
    search_fields = ("name", "slug")
    actions = ["publish", "make_new_version"]

    def get_readonly_fields(self, request, obj=None):
        done = ("status", "published_at", "published_by", "evaluated_at")
        if obj is not None and obj.status != BadgeClass.Status.DRAFT:
            return (*BadgeClass.FROZEN, "allow_manual", *done)
        return done

    def save_model(self, request, obj, form, change):
        if obj.status == BadgeClass.Status.DRAFT and obj.criteria:
            try:
                services.check_class(obj)
            except criteria.CriteriaError as error:
                raise ValidationError(error.messages) from None
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Publish (and award everyone who qualifies)"))
    def publish(self, request, queryset):
        for badge_class in queryset:
            try:
                services.publish_class(
                    badge_class,
                    by=request.user,
                    at=timezone.now(),
                    origin=Origin.from_request(request),
                )
            except (services.BadgeError, criteria.CriteriaError) as error:
                self.message_user(request, f"{badge_class}: {error}", messages.ERROR)
                continue
            # The scheduled job `badges.publish` awards everyone who qualifies
            # (units/schedule.py): one mechanism, not a thread in this worker.
            self.message_user(request, f"{badge_class}: ✓", messages.SUCCESS)

    @admin.action(description=_("Make a new version"))
    def make_new_version(self, request, queryset):
        for badge_class in queryset:
            draft = services.new_version(
                badge_class,
                by=request.user,
                at=timezone.now(),
                origin=Origin.from_request(request),
            )
            self.message_user(request, f"{draft}: ✓", messages.SUCCESS)


@admin.register(Assertion)
class AssertionAdmin(admin.ModelAdmin):
    list_display = ("badge_class", "level", "person", "unit", "issued_at", "revoked_at")
    list_filter = ("badge_slug", "level")
    raw_id_fields = ("person", "unit", "badge_class")
    readonly_fields = [f.name for f in Assertion._meta.fields]

    def has_add_permission(self, request):
        return False  # by hand through /badges/award/, with a reason and a scope

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted

from django.contrib import admin

from .models import ActivityType, Competition, PointEntry, PointRule, Submission


@admin.register(Competition)
class CompetitionAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "status", "starts_on", "ends_on", "scope_unit")
    list_filter = ("kind", "status")
    autocomplete_fields = ("scope_unit",)

    def has_delete_permission(self, request, obj=None):
        # A competition carries rules and the ledger (both kept for ever): it is
        # closed, never deleted. Django's confirmation page also gathered every
        # ledger line of it first (seconds for the demo, minutes for a province).
        return False


@admin.register(ActivityType)
class ActivityTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "credits_person", "is_active")
    prepopulated_fields = {"code": ("name",)}


@admin.register(PointRule)
class PointRuleAdmin(admin.ModelAdmin):
    """Read-only: a rule changes by a new version (on the competition's page), never by editing."""

    list_display = (
        "activity_type",
        "competition",
        "version",
        "effective_from",
        "points_per_event",
        "points_per_quantity",
    )
    list_filter = ("competition", "activity_type")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "status", "unit", "submitted_at")
    list_filter = ("status", "competition", "activity_type")
    raw_id_fields = ("unit", "person", "submitted_by", "decided_by")

    def has_change_permission(self, request, obj=None):
        return False  # decisions go through the review pages, which audit them


@admin.register(PointEntry)
class PointEntryAdmin(admin.ModelAdmin):
    """The ledger, to read: entries are appended by the services, never edited."""

    list_display = (
        "created_at",
        "points",
        "activity_type",
        "person",
        "unit",
        "source",
        "idempotency_key",
    )
    list_filter = ("competition", "source")
    raw_id_fields = ("person", "unit", "submission", "reverses", "rule", "created_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""Award types, reviews with their proposal rules and councils with their members
are configuration, edited here. Decisions are shown, never changed or deleted
(PostgreSQL refuses it too): a wrong award is revoked on its page."""

from django.contrib import admin

from .models import (
    AwardDecision,
    AwardType,
    Council,
    CouncilMember,
    ProposalRule,
    Review,
)


@admin.register(AwardType)
class AwardTypeAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "form",
        "ballot",
        "threshold_percent",
        "denominator",
        "is_active",
    )
    list_filter = ("form", "ballot", "thematic", "is_active")
    search_fields = ("name", "code", "legal_reference")


class ProposalRuleInline(admin.TabularInline):
    model = ProposalRule
    extra = 1


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("name", "competition", "unit", "kind", "held_on", "status")
    list_filter = ("kind", "status")
    readonly_fields = ("status", "closed_at", "closed_by", "proposed")
    raw_id_fields = ("unit",)
    inlines = [ProposalRuleInline]


class CouncilMemberInline(admin.TabularInline):
    model = CouncilMember
    extra = 1
    raw_id_fields = ("user",)


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
    list_display = ("name", "unit")
    raw_id_fields = ("unit",)
    inlines = [CouncilMemberInline]


@admin.register(AwardDecision)
class AwardDecisionAdmin(admin.ModelAdmin):
    list_display = ("number", "issuing_unit", "signed_on", "signer_name")
    search_fields = ("number", "subject")

    def has_add_permission(self, request):
        return False  # recorded from the council's page, after its vote

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""The admin edits the catalogue (frameworks, trainings); what earns points is
recorded through the app's pages, which credit the ledger, so it is read-only here."""

from django.contrib import admin

from .models import (
    Completion,
    Integration,
    Skill,
    SkillArea,
    SkillFramework,
    Training,
)


class SkillInline(admin.TabularInline):
    model = Skill
    extra = 1


@admin.register(SkillFramework)
class SkillFrameworkAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "legal_basis", "effective_from")


@admin.register(SkillArea)
class SkillAreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "framework")
    list_filter = ("framework",)
    inlines = [SkillInline]


@admin.register(Training)
class TrainingAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "external_key", "hours", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("title", "external_key")
    filter_horizontal = ("areas",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Completion)
class CompletionAdmin(ReadOnlyAdmin):
    list_display = ("person", "training", "unit", "completed_on", "source", "status")
    list_filter = ("source", "status")
    list_select_related = ("person", "training", "unit")


@admin.register(Integration)
class IntegrationAdmin(ReadOnlyAdmin):
    list_display = ("name", "unit", "token_prefix", "created_at", "revoked_at")

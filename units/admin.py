from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import Membership, Person, Role, Unit


@admin.register(Unit)
class UnitAdmin(TreeAdmin):
    # treebeard's move form offers only valid positions, so a unit cannot be made
    # its own ancestor from the admin either.
    form = movenodeform_factory(Unit)
    list_display = ("name", "kind", "code", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("unit",)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("display_name", "target_group", "is_active", "appears_anonymously")
    list_filter = ("target_group", "is_active")
    search_fields = ("display_name",)
    raw_id_fields = ("user",)
    inlines = [MembershipInline]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "unit", "granted_at")
    list_filter = ("kind",)
    search_fields = ("user__username", "unit__name")
    autocomplete_fields = ("unit",)
    raw_id_fields = ("user", "granted_by")

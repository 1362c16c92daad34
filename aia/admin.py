"""The admin: reference data and inspection. State, content and the audit trail change only
through the services, so most models are read-only here."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django_otp.plugins.otp_totp.models import TOTPDevice

from aia.models import (
    Case,
    CaseEvent,
    Dissent,
    Option,
    OptionGap,
    Report,
    Review,
    Section,
    Situation,
    Trigger,
    User,
)
from aia.services.second_factor import second_factor_remove
from aia.services.security import user_password_change


class ReadOnlyAdmin(admin.ModelAdmin):
    """Show everything, change nothing: writes belong to the services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PasswordChangeForm(AdminPasswordChangeForm):
    """Change a user's password from the admin through ``user_password_change``, which also
    revokes their API token and records the change."""

    def save(self, commit: bool = True) -> User:
        if not commit:
            # The service saves the password with the token's revocation, or not at all.
            raise ValueError("A password change is always saved.")
        usable = self.cleaned_data["set_usable_password"]
        password = self.cleaned_data["password1"] if usable else None
        return user_password_change(user=self.user, password=password)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    change_password_form = PasswordChangeForm
    list_display = ("username", "display_name", "clearance", "department", "is_active")
    list_filter = ("groups", "clearance", "is_active")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Clearance and post", {"fields": ("clearance", "department", "job_title")}),
    )


@admin.register(Situation)
class SituationAdmin(admin.ModelAdmin):
    list_display = ("name", "country_code", "area", "created_at")
    search_fields = ("name", "country_code")
    readonly_fields = ("key", "created_at")

    def has_delete_permission(self, request, obj=None):
        return False


class TriggerInline(admin.TabularInline):
    model = Trigger
    fields = ("kind", "source_body", "reference", "finding_date", "finding", "outcome")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("reference", "title", "state", "marking", "track", "knowledge_date", "sro")
    list_filter = ("state", "marking", "track")
    search_fields = ("reference", "title", "situation__name")
    list_select_related = ("sro", "situation")
    inlines = [TriggerInline]


@admin.register(Trigger)
class TriggerAdmin(ReadOnlyAdmin):
    list_display = ("reference", "source_body", "kind", "finding_date", "finding", "case")
    list_filter = ("kind", "finding")
    search_fields = ("reference", "source_body", "title")
    list_select_related = ("case",)


@admin.register(Section)
class SectionAdmin(ReadOnlyAdmin):
    list_display = ("case", "version", "code", "status", "rating", "capacity", "confidence")
    list_filter = ("status", "kind")
    list_select_related = ("case",)


@admin.register(Option)
class OptionAdmin(ReadOnlyAdmin):
    list_display = ("title", "case", "category", "recommendation", "withdrawn_at")
    list_filter = ("category", "recommendation")
    list_select_related = ("case",)


@admin.register(OptionGap)
class OptionGapAdmin(ReadOnlyAdmin):
    list_display = ("case", "category", "version", "recorded_by", "recorded_at")


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("case", "stage", "decision", "reviewer", "created_at", "voided_at")
    list_filter = ("stage", "decision")
    list_select_related = ("case", "reviewer")


@admin.register(Dissent)
class DissentAdmin(ReadOnlyAdmin):
    list_display = ("case", "stage", "author", "created_at")


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("case", "number", "status", "sha256", "rendered_at", "superseded_at")
    list_filter = ("status",)
    exclude = ("snapshot",)
    list_select_related = ("case",)


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    """The audit trail: read-only and undeletable, for admins too."""

    list_display = ("case", "sequence", "type", "transition", "actor", "occurred_at")
    list_filter = ("type",)
    search_fields = ("case__reference", "hash")
    list_select_related = ("case", "actor")
    actions = None


# Authenticator apps: listed, and removed when a phone is lost; never added or changed here (a
# user sets up their own at sign-in, so no one else ever sees the key). Replaces django-otp's
# own admin, which would let an administrator create a device and read its key.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    fields = list_display
    readonly_fields = list_display
    search_fields = ("user__username",)
    list_filter = ("confirmed",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        second_factor_remove(device=obj, actor=request.user, request=request)

    def delete_queryset(self, request, queryset):
        for device in queryset.select_related("user"):
            second_factor_remove(device=device, actor=request.user, request=request)

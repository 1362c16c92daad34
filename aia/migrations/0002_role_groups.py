"""Create the five role groups of DESIGN §2 with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "official": ["edit_case_content", "add_trigger", "view_trigger"],
    "legal_adviser": ["review_case"],
    "sro": ["assign_case", "sign_off_case", "add_trigger", "view_trigger"],
    "minister": ["decide_case"],
    "auditor": ["view_all_cases", "view_trigger", "view_caseevent"],
}


def create_role_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now so the groups
    # can hold them.
    app_config = apps.get_app_config("aia")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = Permission.objects.filter(content_type__app_label="aia", codename__in=codenames)
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Missing permissions for {role}: {sorted(missing)}")
        group.permissions.set(permissions)


def remove_role_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("aia", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]

"""Create the five role groups (docs/architecture.md, *Roles*) with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from aia.roles import ROLE_PERMISSIONS, ensure_role_groups


def create_role_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now so the groups
    # can hold them.
    app_config = apps.get_app_config("aia")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    ensure_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove_role_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("aia", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]

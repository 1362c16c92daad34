"""The five roles (docs/architecture.md, *Roles*) and the permissions each role's group holds."""

ROLE_PERMISSIONS = {
    "official": ["edit_case_content", "add_trigger", "view_trigger"],
    "legal_adviser": ["review_case"],
    "sro": ["assign_case", "sign_off_case", "add_trigger", "view_trigger"],
    "minister": ["decide_case"],
    "auditor": ["view_all_cases", "view_trigger", "view_caseevent"],
}


def ensure_role_groups(group_model, permission_model) -> None:
    """Create or update the role groups; safe to run again.

    Takes the models as arguments so the data migration can pass its historical models.
    """
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        permissions = permission_model.objects.filter(
            content_type__app_label="aia", codename__in=codenames
        )
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Missing permissions for {role}: {sorted(missing)}")
        group.permissions.set(permissions)

"""Staff roles: Django groups with the permissions of the admin pages they
open. The migration users/0008_staff_roles creates them; `staff_create`
(and `create_staff --role`) gives them. Every staff member manages the catalog."""

STAFF_ROLES = {
    "orders": "Order managers",
    "stock": "Stock managers",
}

# role: (app label, model, actions) of each permission it grants
ROLE_PERMISSIONS = {
    "orders": [
        ("orders", "order", ("view", "change")),
        ("orders", "orderline", ("view",)),
        ("orders", "payment", ("view",)),
        ("orders", "shipment", ("view",)),
        ("inventory", "stockitem", ("view",)),
        ("inventory", "reservation", ("view",)),
        ("users", "user", ("view",)),
    ],
    "stock": [
        ("inventory", "stockitem", ("view", "change")),
        ("inventory", "stockmovement", ("view",)),
        ("inventory", "reservation", ("view",)),
    ],
}


def role_groups(*, roles, models, using: str) -> list:
    """The groups of `roles`, created with their permissions where missing.
    `models` gives Group, Permission and ContentType (a migration's own)."""
    group_model, permission_model, content_type_model = models
    groups = []
    for role in roles:
        group, created = group_model.objects.using(using).get_or_create(
            name=STAFF_ROLES[role]
        )
        if created:
            group.permissions.add(
                *_permissions(role, permission_model, content_type_model, using)
            )
        groups.append(group)
    return groups


def _permissions(role: str, permission_model, content_type_model, using: str):
    # post_migrate creates permissions only after every migration ran; these
    # use Django's codenames, so it finds them there already.
    for app_label, model, actions in ROLE_PERMISSIONS[role]:
        content_type, _ = content_type_model.objects.using(using).get_or_create(
            app_label=app_label, model=model
        )
        for action in actions:
            permission, _ = permission_model.objects.using(using).get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
            yield permission

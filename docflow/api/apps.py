from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "docflow.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from docflow.tenancy.models import Membership, User

        # Memberships end in the Django admin (no service of ours runs there), and tenancy sits
        # below the API: the end of a membership, or a person locked, ends their API tokens here.
        post_save.connect(_membership_saved, sender=Membership, dispatch_uid="api-tokens-membership")
        post_delete.connect(_membership_deleted, sender=Membership, dispatch_uid="api-tokens-membership-del")
        post_save.connect(_user_saved, sender=User, dispatch_uid="api-tokens-user")


def _membership_saved(sender, instance, **kwargs) -> None:
    if not instance.is_active:
        _membership_deleted(sender, instance)


def _membership_deleted(sender, instance, **kwargs) -> None:
    from docflow.api.tokens import tokens_revoke_all

    tokens_revoke_all(user_id=instance.user_id)


def _user_saved(sender, instance, **kwargs) -> None:
    if not instance.is_active:
        from docflow.api.tokens import tokens_revoke_all

        tokens_revoke_all(user_id=instance.pk)

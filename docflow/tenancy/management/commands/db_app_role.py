"""Create the role the app connects as (when missing) and grant it what it needs.

Run as the owner (``DATABASE_OWNER_URL``, a role allowed to create roles): the app role logs
in, owns nothing, has no BYPASSRLS, reads and writes rows, may not change or delete audit
events, and gets the same on tables later migrations create.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from docflow.core import rls
from docflow.core.db.owner import as_owner


class Command(BaseCommand):
    help = "Create the app's database role (no ownership, no BYPASSRLS) and grant it row access."

    def add_arguments(self, parser):
        parser.add_argument("role", nargs="?", default="", help="default: DOCFLOW_DB_APP_ROLE")
        parser.add_argument("--no-create", action="store_true", help="only grant (the role exists)")

    def handle(self, *args, role: str = "", no_create: bool = False, **options):
        role = role or getattr(settings, "DOCFLOW_DB_APP_ROLE", "")
        if not role:
            raise CommandError("name the role (or set DOCFLOW_DB_APP_ROLE, or DATABASE_OWNER_URL "
                               "beside DATABASE_URL)")
        if connection.vendor != "postgresql":
            raise CommandError("the app role is for PostgreSQL; the embedded database has no roles")
        with as_owner():
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_user")
                owner = cursor.fetchone()[0]
                if owner == role:
                    raise CommandError(f"{role!r} is the owner; the app role must own nothing")
                statements = ([] if no_create else rls.role_sql(role)) + rls.grant_sql(role, owner=owner)
                for statement in statements:
                    cursor.execute(statement)
        self.stdout.write(f"{role}: row access granted (owner {owner})")

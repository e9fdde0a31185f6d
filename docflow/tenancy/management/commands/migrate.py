"""``migrate`` as the tables' owner (``DATABASE_OWNER_URL``); the app keeps its own role."""

from django.core.management.commands.migrate import Command as MigrateCommand

from docflow.core.db.owner import as_owner


class Command(MigrateCommand):
    def handle(self, *args, **options):
        with as_owner(options["database"]):
            return super().handle(*args, **options)

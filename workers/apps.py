from django.apps import AppConfig


class WorkersConfig(AppConfig):
    """Loads the Celery app and registers every task in the web process too.

    The outbox sends tasks by name; in eager mode it runs them from this registry.
    """

    name = "workers"
    label = "workers"

    def ready(self) -> None:
        from workers import tasks  # noqa: F401  registers the tasks
        from workers.celery import app  # noqa: F401

"""The Celery application and its thin tasks. Nothing in docflow imports this package."""

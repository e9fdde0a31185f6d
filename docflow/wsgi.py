import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docflow.settings")
application = get_wsgi_application()

from docflow.core.runtime import process_ready  # after Django is set up

process_ready()  # the views imported, start-up's objects out of the collector's walks

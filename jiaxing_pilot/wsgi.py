"""WSGI entry point (gunicorn jiaxing_pilot.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiaxing_pilot.settings")
application = get_wsgi_application()

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhiben.settings")
application = get_wsgi_application()

if settings.PRODUCTION:
    # gunicorn runs no system checks; production refuses to serve with a demo account (issue 11 #5).
    from zhiben.core.checks import refuse_unsafe_start

    refuse_unsafe_start()

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import connections
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhiben.settings")
application = get_wsgi_application()

if settings.PRODUCTION:
    # gunicorn runs no system checks; production refuses to serve with a demo account (issue 11 #5).
    from zhiben.core.checks import refuse_unsafe_start

    refuse_unsafe_start()

# Build the URL resolver now: about a second of CPU that each worker otherwise pays in its first request. Under
# `gunicorn --preload` (scripts/serve.sh, bench/load) it is paid once, before the workers are forked; no
# connection opened here may be shared with them.
get_resolver().reverse_dict  # noqa: B018 - the property populates the resolver
connections.close_all()

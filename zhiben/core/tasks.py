"""The framework's jobs, for Huey's discovery of `<app>.tasks`: each job is declared in the module that owns
its work (outbox delivery in outbox.py, deferred document files in documents.py, large Excel imports in
excel/web.py); importing those modules registers them.
"""

from __future__ import annotations

from . import documents, outbox  # noqa: F401  (registers their jobs)
from .excel import web  # noqa: F401  (registers run_import_job)

"""Entry point for the Celery worker: `celery -A intersession.worker:celery worker -B`."""

from intersession import create_app

app = create_app()
celery = app.extensions["celery"]

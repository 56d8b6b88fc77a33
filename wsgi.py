"""WSGI entry point: `app = create_app()`."""

from intersession import create_app

app = create_app()

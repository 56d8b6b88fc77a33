"""gunicorn's settings for one Intersession instance: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

The choices (gthread, one worker process, a thread per open socket, the media engine started and
stopped with the worker) are made once in intersession/server.py, which `make run` uses too; the
environment (deploy/intersession.env) tunes them: BIND, WEB_THREADS, WEB_TIMEOUT, WEB_ACCESS_LOG.
"""

from intersession.server import settings

globals().update(settings())

"""Extensions, created once here and bound to the app in create_app."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect

from intersession.core.db import db

__all__ = ["babel", "csrf", "db", "login_manager", "migrate", "socketio"]
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# threading mode explicitly: eventlet or gevent monkey-patching would break aiortc's asyncio loop.
# Origin: the engine's default admits only the page's own origin. A message over 256 KB (an SDP is
# a few KB) closes the socket before any handler reads it.
socketio = SocketIO(async_mode="threading", max_http_buffer_size=256 * 1024)

from . import invitation_routes, sessions  # noqa: F401  (routes attach to bp; sessions listens to sign-ins)
from .routes import bp

__all__ = ["bp"]

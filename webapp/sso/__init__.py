"""Single sign-on through the organisation's OpenID Connect provider."""
from .routes import bp

__all__ = ["bp"]

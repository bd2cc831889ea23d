"""Each person's profile: name, time zone, avatar, what others see; times shown in the viewer's zone."""
from flask import Flask

from . import avatars, times
from .routes import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    times.init_app(app)
    app.jinja_env.globals["avatar_initials"] = avatars.initials

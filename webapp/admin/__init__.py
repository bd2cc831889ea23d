"""Admin pages: author challenges (missions, badges, lifecycle, YAML), manage teams and users."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import challenge_routes, group_mapping_routes, invitation_routes, mission_routes, people_routes, points_routes  # noqa: E402,F401  (routes attach to bp)

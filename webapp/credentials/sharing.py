"""Where a claimed badge goes next: LinkedIn's "Add to profile" certification link."""
from __future__ import annotations

from urllib.parse import urlencode

from ..models import BadgeCredential


def linkedin_url(credential: BadgeCredential, badge_name: str, organisation: str, page_url: str) -> str:
    """LinkedIn imports no badge format; its certification form takes these fields from the URL."""
    return "https://www.linkedin.com/profile/add?" + urlencode({
        "startTask": "CERTIFICATION_NAME", "name": badge_name, "organizationName": organisation,
        "issueYear": credential.issued_at.year, "issueMonth": credential.issued_at.month,
        "certUrl": page_url, "certId": credential.public_id,
    })

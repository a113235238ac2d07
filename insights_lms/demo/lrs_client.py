"""The demo's Statement API client: ``demo-lrs`` / ``insights-demo``, read only.

Pull the demo's statements with
``curl -u demo-lrs:insights-demo -H 'X-Experience-API-Version: 1.0.3'
http://127.0.0.1:5000/xapi/statements`` (the Basic-auth username is the client's name).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from insights_lms.lrs_api.models import XapiClient, XapiClientScope
from insights_lms.lrs_api.services import create_client, find_client

DEMO_CLIENT = "demo-lrs"
DEMO_CLIENT_SECRET = "insights-demo"  # noqa: S105 - the documented demo credentials, demo only


def add_demo_client(session: Session) -> XapiClient:
    """The demo client, created if missing (an existing one is kept as it is)."""
    client = find_client(session, DEMO_CLIENT)
    if client is None:
        client, _ = create_client(
            session, DEMO_CLIENT, scope=XapiClientScope.READ, secret=DEMO_CLIENT_SECRET
        )
    return client

"""Bearer-token verification for /mcp. One verifier: the OAuth issue adds its tokens behind it."""

from __future__ import annotations

import hashlib

from mcp.server.auth.provider import AccessToken

from frontdesk.domain.errors import Unavailable
from frontdesk.services.app import Frontdesk


class PracticeKeyVerifier:
    """Accepts a practice secret key (`frontdesk keys create`) as a bearer token."""

    def __init__(self, app: Frontdesk) -> None:
        self.app = app

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            principal = await self.app.practices.verify_key(token)
        except Unavailable:
            return None
        if principal is None:
            return None
        return AccessToken(
            # Never keep the secret itself on the request: a digest identifies the credential.
            token=hashlib.sha256(token.encode()).hexdigest()[:16],
            client_id=principal.actor,
            scopes=sorted(principal.scopes),
            subject=principal.actor,
            claims={"practice_id": principal.practice_id, "actor": principal.actor},
        )

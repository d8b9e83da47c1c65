"""HTTP authentication for ``/a/`` paths, Basic (current Gerrit) or Digest (up to 2.13).

Gerrit answers a missing or wrong credential on ``/a/…`` with 401 and a challenge for the
realm ``Gerrit Code Review`` (facts §1.1). Until 2.13 the default was Digest, which
OpenStack's tools used through ``requests.auth.HTTPDigestAuth``; that is RFC 2617 with
``qop=auth`` and MD5, implemented here with stateless nonces (an HMAC of the issue time),
so any number of server threads can check them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import time
from collections.abc import Mapping

REALM = "Gerrit Code Review"
BASIC, DIGEST = "basic", "digest"
_NONCE_LIFETIME = 3600
_PARAM = re.compile(r'(\w+)=(?:"([^"]*)"|([^\s,]+))')


class Authenticator:
    """Checks ``Authorization`` headers against user name → password ``credentials``."""

    def __init__(self, credentials: Mapping[str, str], scheme: str = BASIC) -> None:
        if scheme not in (BASIC, DIGEST):
            raise ValueError(f"auth scheme must be {BASIC!r} or {DIGEST!r}, not {scheme!r}")
        self.credentials = credentials
        self.scheme = scheme
        self._secret = os.urandom(16)
        self._opaque = hashlib.md5(self._secret).hexdigest()

    def challenge(self) -> str:
        """The ``WWW-Authenticate`` value of a 401."""
        if self.scheme == BASIC:
            return f'Basic realm="{REALM}"'
        return (
            f'Digest realm="{REALM}", nonce="{self._nonce(int(time.time()))}", '
            f'opaque="{self._opaque}", qop="auth", algorithm=MD5'
        )

    def authenticate(self, method: str, uri: str, header: str | None) -> str | None:
        """The user name if ``header`` carries valid credentials for this request."""
        if not header:
            return None
        scheme, _, value = header.partition(" ")
        if scheme.lower() != self.scheme:
            return None
        if self.scheme == BASIC:
            return self._basic(value.strip())
        return self._digest(method, uri, value)

    def _basic(self, value: str) -> str | None:
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, _, password = decoded.partition(":")
        expected = self.credentials.get(user)
        if expected is None or not hmac.compare_digest(expected, password):
            return None
        return user

    def _digest(self, method: str, uri: str, value: str) -> str | None:
        fields = {
            m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
            for m in _PARAM.finditer(value)
        }
        user = fields.get("username", "")
        password = self.credentials.get(user)
        nonce = fields.get("nonce", "")
        if password is None or fields.get("uri") != uri or not self._fresh(nonce):
            return None
        ha1 = _md5(f"{user}:{REALM}:{password}")
        ha2 = _md5(f"{method}:{uri}")
        if fields.get("qop") == "auth":
            parts = (ha1, nonce, fields.get("nc", ""), fields.get("cnonce", ""), "auth", ha2)
            expected = _md5(":".join(parts))
        else:
            expected = _md5(f"{ha1}:{nonce}:{ha2}")
        return user if hmac.compare_digest(expected, fields.get("response", "")) else None

    def _nonce(self, issued: int) -> str:
        signature = hmac.new(self._secret, str(issued).encode(), hashlib.sha256).hexdigest()
        return base64.b64encode(f"{issued}:{signature}".encode()).decode()

    def _fresh(self, nonce: str) -> bool:
        try:
            issued = int(base64.b64decode(nonce).decode().partition(":")[0])
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return False
        return self._nonce(issued) == nonce and time.time() - issued < _NONCE_LIFETIME


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()

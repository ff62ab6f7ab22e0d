"""Operators' passwords (salted scrypt), signed expiring session cookies, CSRF tokens, and the
slow-down after wrong passwords. Standard library only: `shoprules operators` needs no extra."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass

# scrypt cost: 16 MiB of memory and ~50 ms a hash on a laptop; stored with each hash, so it can
# be raised later without invalidating older ones.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_SCHEME = "scrypt"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str) -> str:
    """`scrypt$N$r$p$salt$hash`: a fresh 16-byte salt every time."""
    if not password:
        raise ValueError("the password is empty")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return f"{_SCHEME}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    """True when `password` matches the stored hash. An unknown operator (None) costs the same
    time as a wrong password, so timing does not tell which names exist."""
    if stored is None:
        hash_password(password or "x")
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != _SCHEME:
            return False
        got = hashlib.scrypt(
            password.encode(),
            salt=_unb64(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(_unb64(digest)),
            maxmem=256 * 1024 * 1024,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, _unb64(digest))


@dataclass(frozen=True)
class Session:
    operator: str
    issued: float
    nonce: str


class Signer:
    """HMAC-SHA256 over a JSON payload with the time it was issued; refuses a changed or expired
    token. The key is random per server start unless given."""

    def __init__(self, key: bytes | None = None, max_age: float = 8 * 3600) -> None:
        self._key = key or secrets.token_bytes(32)
        self.max_age = max_age

    def _mac(self, data: bytes) -> str:
        return _b64(hmac.new(self._key, data, hashlib.sha256).digest())

    def sign(self, payload: dict) -> str:
        body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
        return f"{body}.{self._mac(body.encode())}"

    def unsign(self, token: str | None, now: float | None = None) -> dict | None:
        if not token or token.count(".") != 1:
            return None
        body, mac = token.split(".")
        if not hmac.compare_digest(mac, self._mac(body.encode())):
            return None
        try:
            payload = json.loads(_unb64(body))
        except ValueError:
            return None
        issued = payload.get("t") if isinstance(payload, dict) else None
        if not isinstance(issued, (int, float)):
            return None
        now = time.time() if now is None else now
        if not (issued - 60 <= now <= issued + self.max_age):
            return None
        return payload

    def session_cookie(self, operator: str, now: float | None = None) -> str:
        now = time.time() if now is None else now
        return self.sign({"op": operator, "t": now, "n": secrets.token_urlsafe(16)})

    def session(self, cookie: str | None, now: float | None = None) -> Session | None:
        payload = self.unsign(cookie, now)
        if payload is None or not isinstance(payload.get("op"), str):
            return None
        return Session(payload["op"], payload["t"], str(payload.get("n", "")))

    def csrf_token(self, nonce: str) -> str:
        """The token every changing request of this session (or sign-in form) must carry."""
        return self._mac(b"csrf:" + nonce.encode())

    def check_csrf(self, nonce: str, token: str | None) -> bool:
        return bool(nonce) and bool(token) and hmac.compare_digest(self.csrf_token(nonce), token)


class Throttle:
    """After FREE wrong passwords for one name (or from one address), each further try must wait
    longer: 1 s, 2 s, 4 s ... up to a minute. A right password clears the count."""

    FREE = 5
    MAX_WAIT = 60.0

    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._fails: dict[str, tuple[int, float]] = {}

    def wait(self, *keys: str) -> float:
        """Seconds before another try is heard for these keys (0: now)."""
        now = self._clock()
        with self._lock:
            return max([0.0, *(self._fails.get(k, (0, 0.0))[1] - now for k in keys)])

    def failed(self, *keys: str) -> None:
        now = self._clock()
        with self._lock:
            for k in keys:
                count = self._fails.get(k, (0, 0.0))[0] + 1
                delay = 0.0 if count < self.FREE else min(2.0 ** (count - self.FREE), self.MAX_WAIT)
                self._fails[k] = (count, now + delay)
            if len(self._fails) > 10000:  # bounded: forget the oldest
                for k in list(self._fails)[:5000]:
                    del self._fails[k]

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for k in keys:
                self._fails.pop(k, None)

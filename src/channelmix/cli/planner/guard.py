"""What keeps the planner safe on a laptop: a token on every request (as Jupyter does: in the
URL once, then a cookie), the Host and Origin checked (no DNS rebinding, no cross-site posts),
a cap on the size of a request body, and every path kept under the folder the planner was
started on. A pure ASGI middleware, so it sits in front of every route, the static files
included."""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "channelmix_token"
HEADER = b"x-channelmix-token"
LOCAL_NAMES = ("127.0.0.1", "localhost", "::1")
SECURITY_HEADERS = [
    # nothing is fetched from elsewhere; scripts only from this server (no inline script); the page never framed
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                 b"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
                                 b"base-uri 'none'; form-action 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),  # the token in the address never leaves in a Referer
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Refused(ValueError):
    """A path the planner will not read or write."""


def inside(root: Path, name: str) -> Path:
    """``name`` (relative to ``root``) as a path, refused when it leaves ``root`` — by ``..``, an
    absolute path or a link pointing outside — or names something that is not a file."""
    if not name or "\x00" in name or Path(name).is_absolute() or name.startswith(("/", "\\")):
        raise Refused(f"'{name}' is not a file in the planner's folder")
    base = root.resolve()
    path = (base / name).resolve()
    if path != base and base not in path.parents:
        raise Refused(f"'{name}' is outside the planner's folder")
    return path


@dataclass(frozen=True)
class Gate:
    """Who may talk to the planner: the token, the port, the host it was bound to, the body cap."""

    token: str
    port: int
    host: str = "127.0.0.1"
    max_body: int = 1_000_000
    names: tuple[str, ...] = field(default=LOCAL_NAMES)

    def host_allowed(self, value: str) -> bool:
        """A Host header naming this server: localhost by name or address, the bound host, or
        (bound to every address) any IP address — a DNS name could be an attacker's rebinding."""
        name, port = split_host(value)
        if port not in (self.port, None):
            return False
        if name in self.names or name == self.host:
            return True
        if self.host in ("0.0.0.0", "::"):
            try:
                ipaddress.ip_address(name)
            except ValueError:
                return False
            return True
        return False

    def origin_allowed(self, origin: str, host: str) -> bool:
        """An Origin header (browsers send it on posts and fetches) must be this very server."""
        parts = urlsplit(origin)
        return parts.scheme == "http" and parts.netloc.lower() == host.lower()

    def token_given(self, scope: Scope, headers: dict[bytes, bytes]) -> tuple[bool, bool]:
        """(token right, token came in the address): from the query, the header or the cookie."""
        query = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [])
        if query:
            return hmac.compare_digest(query[0], self.token), True
        given = headers.get(HEADER, b"").decode("latin-1")
        if not given:
            cookie = SimpleCookie()
            try:
                cookie.load(headers.get(b"cookie", b"").decode("latin-1"))
            except Exception:  # a malformed cookie header is no token  # noqa: BLE001
                return False, False
            given = cookie[COOKIE].value if COOKIE in cookie else ""
        return bool(given) and hmac.compare_digest(given, self.token), False


def split_host(value: str) -> tuple[str, int | None]:
    value = value.strip().lower()
    if value.startswith("["):  # [::1]:8000
        name, _, rest = value[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    else:
        name, _, port = value.rpartition(":") if value.count(":") == 1 else (value, "", "")
    return name, int(port) if port.isdigit() else None


class Guard:
    """The gate in front of the app: refuses with 403 (token, Host, Origin) or 413 (size)."""

    def __init__(self, app: ASGIApp, gate: Gate) -> None:
        self.app = app
        self.gate = gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await self.app(scope, receive, send)
            return  # no websockets
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        host = headers.get(b"host", b"").decode("latin-1")
        if not self.gate.host_allowed(host):
            return await refuse(send, 403, "This planner answers only on its own address (the Host was not it).")
        origin = headers.get(b"origin", b"").decode("latin-1")
        if origin and not self.gate.origin_allowed(origin, host):
            return await refuse(send, 403, "Requests from other sites are refused (the Origin was not this planner).")
        right, in_address = self.gate.token_given(scope, headers)
        if not right:
            return await refuse(send, 403, "This planner needs its token: open the address the command printed "
                                           "(it ends in ?token=…).")
        length = headers.get(b"content-length", b"0").decode("latin-1")
        if not length.isdigit() or int(length) > self.gate.max_body:
            return await refuse(send, 413, f"The request is larger than {self.gate.max_body} bytes.")
        await self.app(scope, capped(receive, self.gate.max_body), with_headers(send, self.gate, in_address))


def capped(receive: Receive, limit: int) -> Receive:
    """The body cut off at ``limit`` bytes whatever Content-Length said (a chunked body too)."""
    seen = 0

    async def read() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise TooLarge()
        return message

    return read


class TooLarge(Exception):
    """A body past the cap: the app's error handler answers 413."""


def with_headers(send: Send, gate: Gate, set_cookie: bool) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", [])) + SECURITY_HEADERS
            if set_cookie:
                headers.append((b"set-cookie", f"{COOKIE}={gate.token}; Path=/; HttpOnly; SameSite=Strict".encode()))
            message = {**message, "headers": headers}
        await send(message)

    return sending


async def refuse(send: Send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    headers: list[Any] = [(b"content-type", b"text/plain; charset=utf-8"),
                          (b"content-length", str(len(body)).encode())] + SECURITY_HEADERS
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})

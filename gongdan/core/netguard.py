"""The one guard for outbound HTTP to addresses that users typed (SSRF, R14).

A push URL or webhook target is checked twice: when it is saved (`check_url`, a clear validation
error) and when the worker connects (`guarded()`). At send time every name is resolved once, the
answers are checked, and the connection goes to exactly those checked answers: inside `guarded()`
this module's resolver replaces `socket.getaddrinfo` for the current thread only, so a DNS answer
cannot change between the check and the connect (rebinding), whatever library opens the socket
(requests under apprise, httpx for webhooks). Redirects are never followed inside `guarded()`.

Refused unless an admin allow-lists them (`GONGDAN_OUTBOUND_ALLOWED_NETWORKS`, CIDRs): loopback,
private, link-local, shared, reserved, multicast and unspecified addresses, in any spelling
(decimal/hex/octal integers, short dotted forms, `localhost.`, IPv6, IPv4-mapped, NAT64, 6to4 and
Teredo embeddings) and names that resolve to them.
"""

from __future__ import annotations

import contextvars
import ipaddress
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# The real resolver, captured before `install()` replaces the module attribute.
system_getaddrinfo = socket.getaddrinfo
NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass
class _Guard:
    pinned: dict[str, list] = field(default_factory=dict)
    refusals: list[OSError] = field(default_factory=list)


# A context variable, not a thread-local: libraries that hand work to a pool with the caller's
# context (apprise does) stay guarded, while unrelated threads never see it.
_guard: contextvars.ContextVar[_Guard | None] = contextvars.ContextVar("gongdan_netguard", default=None)


class BlockedAddress(OSError):
    """The target resolves to an address outbound requests may not reach.

    An OSError, so HTTP libraries treat it as a failed connection (their own retries and error
    handling apply); `is_refused` finds it again in the exception chain.
    """

    def __init__(self, host: str, address: str, reason: str):
        super().__init__(f"{host} → {address}: {reason} address, not allow-listed")
        self.host, self.address, self.reason = host, address, reason


class UnresolvableHost(OSError):
    pass


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(item, strict=False) for item in settings.GONGDAN_OUTBOUND_ALLOWED_NETWORKS]


def _embedded_ipv4(address: Address) -> Address:
    """The IPv4 address an IPv6 form carries (mapped, NAT64, 6to4, Teredo), else the address."""
    if isinstance(address, ipaddress.IPv4Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return address


def refusal(address: Address) -> str | None:
    """Why `address` may not be reached ("loopback", "private", …), or None when it may."""
    if any(address in network for network in allowed_networks()):
        return None
    inner = _embedded_ipv4(address)
    if inner is not address and any(inner in network for network in allowed_networks()):
        return None
    # The embedded IPv4 first: it names what the connection really reaches (::ffff:127.0.0.1 → loopback).
    for candidate in (inner, address):
        for reason in ("unspecified", "loopback", "link_local", "private", "multicast", "reserved"):
            if getattr(candidate, "is_" + reason):
                return reason.replace("_", "-")
        if not candidate.is_global:
            return "non-global"
    return None


def _addresses(host: str, port: int | None) -> list[Address]:
    try:
        answers = system_getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnresolvableHost(f"{host}: {exc}") from exc
    # Zone ids ("fe80::1%eth0") are dropped: the address alone decides.
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in answers]


def resolve_checked(host: str, port: int | None = None) -> list[Address]:
    """Resolve `host` once and return its addresses; BlockedAddress if any of them is refused.

    Every answer must pass: a name answering with one public and one loopback address is refused,
    since the connection could go to either.
    """
    host = host.strip("[]")
    addresses = _addresses(host, port)
    for address in addresses:
        reason = refusal(address)
        if reason:
            raise BlockedAddress(host, str(address), reason)
    return addresses


def url_host(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return parts.hostname or "", port


def check_url(url: str, *, resolve_names: bool = True) -> None:
    """Save-time check of a URL's host; raises BlockedAddress (or UnresolvableHost if nothing answers).

    With `resolve_names=False` a host that is neither an address in some spelling nor a
    localhost name is not looked up (apprise URLs whose "host" is a token, e.g. wecombot://KEY).
    """
    host, port = url_host(url)
    if not host:
        return
    if host.rstrip(".").lower() == "localhost" or host.rstrip(".").lower().endswith(".localhost"):
        if refusal(ipaddress.ip_address("127.0.0.1")):
            raise BlockedAddress(host, "127.0.0.1", "loopback")
        return
    if resolve_names or _is_numeric(host):
        resolve_checked(host, port)


def _is_numeric(host: str) -> bool:
    """True for an address in any spelling getaddrinfo accepts without DNS (2130706433, 0x7f.1, ::1…)."""
    try:
        system_getaddrinfo(host.strip("[]"), None, 0, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError):
        return False
    return True


# ---- send time: a per-thread pinned resolver ------------------------------------------------


def _guarded_getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
    guard = _guard.get()
    if guard is None:
        return system_getaddrinfo(host, port, family, type, proto, flags)
    key = host.decode() if isinstance(host, bytes) else str(host)
    pinned = guard.pinned.get(key)
    if pinned is None:
        try:
            pinned = resolve_checked(key, None)
        except OSError as exc:
            guard.refusals.append(exc)
            raise
        guard.pinned[key] = pinned
    # Only the checked addresses are ever handed to connect(); the resolver is not asked twice.
    results = []
    for address in pinned:
        if family not in (0, socket.AF_INET if address.version == 4 else socket.AF_INET6):
            continue
        results.extend(system_getaddrinfo(str(address), port, family, type, proto, flags | socket.AI_NUMERICHOST))
    if not results:
        raise socket.gaierror(socket.EAI_NONAME, f"{key}: no address of the requested family")
    return results


def _no_redirects(send):
    def send_once(self, request, **kwargs):
        if _guard.get() is not None:
            kwargs["allow_redirects"] = False
        return send(self, request, **kwargs)

    send_once.gongdan_guard = True
    return send_once


_install_lock = threading.Lock()


def install() -> None:
    """Put the guarded resolver in place (idempotent); it passes through outside `guarded()`."""
    with _install_lock:
        if socket.getaddrinfo is not _guarded_getaddrinfo:
            socket.getaddrinfo = _guarded_getaddrinfo
        import requests

        if not getattr(requests.Session.send, "gongdan_guard", False):
            requests.Session.send = _no_redirects(requests.Session.send)


@contextmanager
def guarded() -> Iterator[list[OSError]]:
    """In this block (and work it hands to pools with its context): connections checked and pinned, no redirects.

    Yields the list of refusals met so far, for callers whose library swallows the exception
    (apprise reports only "failed").
    """
    install()
    outer = _guard.get()
    if outer is not None:
        yield outer.refusals
        return
    token = _guard.set(_Guard())
    try:
        yield _guard.get().refusals
    finally:
        _guard.reset(token)


def post(url: str, *, data: bytes, headers: dict[str, str], timeout: float = 10.0):
    """POST to a user-supplied URL (outbound webhooks): checked, pinned, no redirects, no proxies.

    Returns the `requests.Response` (a 3xx is returned as is, never followed). Raises
    BlockedAddress/UnresolvableHost for a refused target, `requests.RequestException` otherwise.
    """
    import requests

    with guarded() as refusals, requests.Session() as session:
        session.trust_env = False  # a proxy from the environment would bypass the pinned address
        try:
            return session.post(url, data=data, headers=headers, timeout=timeout, allow_redirects=False)
        except requests.RequestException:
            if refusals:
                raise refusals[0] from None
            raise


def is_refused(exc: BaseException) -> bool:
    """True if `exc` (or anything it was raised from) is this guard's refusal."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, BlockedAddress | UnresolvableHost):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False

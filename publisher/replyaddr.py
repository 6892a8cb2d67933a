"""Tagged gateway addresses: `feed+t42.k7c9qz3m@firma.se` leads a mail reply to thread 42.

The token is an HMAC of the thread id under the site's secret, so nobody can post into a
thread by guessing its number; the sender policy still applies to whoever writes.  The
same plus-addressing carries the other tags the gateway hands out (mute links, VERP
bounce addresses): `tagged`, `tag_of` and `sign` are shared by them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from mailfeed.publisher.site import Site

_LOCAL = re.compile(r"^t(?P<id>\d{1,12})\.(?P<token>[a-z2-7]{8})$")


def sign(site: Site, message: str, length: int = 8) -> str:
    """An HMAC of `message` under the site's secret, as lower-case base32."""
    digest = hmac.new(site.secret_key.encode(), message.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:length]


def tagged(site: Site, tag: str) -> str:
    """The gateway address with a tag: `feed` + separator + tag `@firma.se`."""
    local, _, domain = site.gateway_address.partition("@")
    return f"{local}{site.reply_separator}{tag}@{domain}"


def tag_of(site: Site, address: str) -> str | None:
    """The tag of a tagged gateway address, or None for any other address."""
    local, _, domain = address.strip().strip("<>").lower().rpartition("@")
    base, sep, tag = local.partition(site.reply_separator)
    if not sep or f"{base}@{domain}" not in site.policy.gateway_addresses:
        return None
    return tag


def _token(site: Site, thread_id: int) -> str:
    return sign(site, f"thread:{thread_id}")


def reply_address(site: Site, thread_id: int) -> str:
    return tagged(site, f"t{thread_id}.{_token(site, thread_id)}")


def thread_for(site: Site, address: str) -> int | None:
    """The thread a reply address names, or None (not one of ours, or a forged token)."""
    match = _LOCAL.match(tag_of(site, address) or "")
    if match is None:
        return None
    thread_id = int(match["id"])
    if not hmac.compare_digest(match["token"], _token(site, thread_id)):
        return None
    return thread_id

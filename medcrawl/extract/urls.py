"""Links on a page → URLs fit to request and to write, or a reason there is none.

A page can hold any string in an `href`: a bad IPv6 host (`http://[::1/…`, on which
`urllib.parse` raises), a port past 65535, control characters, `javascript:`, a raw `%`
(`/yp/5%葡萄糖注射液.html`), a 20,000-character path. `resolve_link` turns an href into an
absolute http(s) URL that is a valid URI (RFC 3986: what the output schemas' `uri` format
checks) or raises `BadLink` saying why, so one bad link costs only itself.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urljoin

from w3lib.url import safe_url_string

#: Longest URL kept: Scrapy's `URLLENGTH_LIMIT` default (the old IE limit); no page of a site
#: has a longer one.
MAX_URL_CHARS = 2083

# What a browser removes from an href before parsing it (WHATWG URL: leading and trailing C0
# controls and spaces; tabs and newlines anywhere).
_EDGES = "".join(map(chr, range(0x21)))
_TAB_NEWLINE = str.maketrans("", "", "\t\n\r")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# A `%` that does not start an escape: the page meant a percent sign.
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# Every character RFC 3986 allows in a URI.
_URI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
_WEB_URL = re.compile(r"(?i)https?://([^/?#]*)")
# host[:port] after the userinfo: a bracketed IPv6 literal or a name / IPv4 address.
_HOST_PORT = re.compile(
    r"(?:\[(?P<ip6>[0-9A-Fa-f:.]+)\]|(?P<name>(?:[A-Za-z0-9_-]{1,63}\.)*[A-Za-z0-9_-]{1,63}\.?))"
    r"(?::(?P<port>[0-9]{0,5}))?"
)


class BadLink(ValueError):
    """An href that is no link to a web page; the message says why."""


def resolve_link(base: str, href: str) -> str:
    """`href` resolved against the page URL `base`, percent-encoded (`/药品/x.html` →
    `/%E8%8D%AF%E5%93%81/x.html`, a stray `%` → `%25`): an absolute http(s) URL with a host
    and a valid port. BadLink when there is none."""
    href = href.strip(_EDGES).translate(_TAB_NEWLINE)
    if not href:
        raise BadLink("empty")
    if len(href) > MAX_URL_CHARS:
        raise BadLink(f"longer than {MAX_URL_CHARS} characters")
    if _CONTROL.search(href):
        raise BadLink("a control character")
    try:
        url = urljoin(base, href)
    except ValueError as error:  # `http://[::1/…`: urllib refuses the host
        raise BadLink(str(error)) from None
    if not _WEB_URL.match(url):
        scheme = url.partition(":")[0] if ":" in url else "no"
        raise BadLink(f"not a web link ({scheme[:20]} scheme)")
    try:
        url = safe_url_string(_STRAY_PERCENT.sub("%25", url))
    except ValueError as error:  # a port that is not a number, or out of range
        raise BadLink(str(error)) from None
    if len(url) > MAX_URL_CHARS:
        raise BadLink(f"longer than {MAX_URL_CHARS} characters")
    if not _URI_CHARS.fullmatch(url):
        raise BadLink("characters no URL holds")
    _check_netloc(_WEB_URL.match(url)[1])  # type: ignore[index]
    return url


def _check_netloc(netloc: str) -> None:
    host_port = netloc.rpartition("@")[2]
    m = _HOST_PORT.fullmatch(host_port)
    if not m:
        raise BadLink(f"not a host: {host_port[:50]!r}")
    if m["ip6"] is not None:
        try:
            ipaddress.IPv6Address(m["ip6"])
        except ValueError:
            raise BadLink(f"not an IPv6 address: {m['ip6'][:50]!r}") from None
    if m["port"] and int(m["port"]) > 65535:
        raise BadLink(f"port {m['port']} out of range")

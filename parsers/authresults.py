"""Parse `Authentication-Results` headers (RFC 8601) and judge DMARC or aligned passes.

Owns: turning a header value into `AuthResults` dataclasses, and deciding whether the
results from *trusted* verifiers show that the From: domain really sent the mail.
Must not: verify signatures itself, touch DNS, or trust a header from an authserv-id
the operator has not named (anyone can write such a header into a mail).

Trust rests on RFC 8601 §5: the border MTA of a trusted authserv-id removes (or
renames) headers that claim its own authserv-id before adding its own, so a header with
a trusted id was written by that verifier.  An MTA that does not remove them can still
not be fooled by a header the sender wrote *below* the verifier's own: only the
headers at the top count, up to the first one from another server or the first that
repeats a method the verifier already gave a result for.

Alignment is DMARC's relaxed alignment (RFC 7489 §3.1) with one simplification: the
organizational domain is found without the Public Suffix List, as the last two labels,
or three when the last two form a well-known public suffix such as `co.uk`.  For a
domain under a public suffix missing from `_TWO_LABEL_SUFFIXES` two unrelated domains
could look aligned, so a verifier's own `dmarc=` result (which uses the real list) is
always preferred, and a DMARC fail is never overridden.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Public suffixes of two labels seen in the mail of the organisations we serve.  Not the
# Public Suffix List: see the module docstring.
_TWO_LABEL_SUFFIXES = frozenset(
    {
        "co.uk",
        "org.uk",
        "ac.uk",
        "gov.uk",
        "ltd.uk",
        "plc.uk",
        "me.uk",
        "com.au",
        "net.au",
        "org.au",
        "edu.au",
        "gov.au",
        "co.nz",
        "org.nz",
        "co.jp",
        "ne.jp",
        "or.jp",
        "co.za",
        "org.za",
        "com.br",
        "com.cn",
        "com.tr",
        "com.mx",
        "com.ar",
        "co.in",
        "co.kr",
        "com.sg",
        "com.hk",
        "co.il",
    }
)


@dataclass(frozen=True)
class Property:
    """One `ptype.property=value` of a result (RFC 8601 §2.2), e.g. header.d=firma.se."""

    ptype: str  # lower-case: smtp, header, body, policy, ...
    name: str  # lower-case: mailfrom, d, i, from, ...
    value: str  # as written, quotes removed


@dataclass(frozen=True)
class MethodResult:
    """One `method=result` with its reason and properties (RFC 8601 §2.2 resinfo)."""

    method: str  # lower-case, without a method version ("dkim", "spf", "dmarc", ...)
    result: str  # lower-case: pass, fail, none, softfail, neutral, temperror, ...
    reason: str | None = None
    properties: tuple[Property, ...] = ()
    version: str | None = None  # the "1" of "dkim/1"

    def get(self, ptype: str, name: str) -> str | None:
        """The value of `ptype.name`, or None."""
        for prop in self.properties:
            if prop.ptype == ptype and prop.name == name:
                return prop.value
        return None


@dataclass(frozen=True)
class AuthResults:
    """One Authentication-Results header."""

    authserv_id: str  # lower-case
    results: tuple[MethodResult, ...] = ()
    version: str | None = None


@dataclass(frozen=True)
class AuthVerdict:
    """Whether the trusted results show the From: domain sent the mail, and why."""

    passed: bool
    reason: str


# ---------------------------------------------------------------------------- lexing


@dataclass(frozen=True)
class _Token:
    text: str
    quoted: bool  # a quoted-string: never a separator, even if it holds "=" or ";"
    glued: bool  # no white space or comment between this token and the previous one


_SEPARATORS = "=;"


def _tokens(value: str) -> list[_Token]:
    """Split into atoms, quoted strings, "=" and ";", dropping CFWS (RFC 5322 §3.2.2).

    Comments nest and may hold quoted pairs; an unterminated comment or quoted string
    runs to the end of the value rather than raising (real headers are sometimes cut).
    """
    tokens: list[_Token] = []
    i, n = 0, len(value)
    glued = False
    while i < n:
        ch = value[i]
        if ch.isspace():
            glued = False
            i += 1
        elif ch == "(":
            depth = 0
            while i < n:
                if value[i] == "\\":
                    i += 2
                    continue
                if value[i] == "(":
                    depth += 1
                elif value[i] == ")":
                    depth -= 1
                    if depth == 0:
                        i += 1
                        break
                i += 1
            glued = False
        elif ch == '"':
            i += 1
            chars: list[str] = []
            while i < n and value[i] != '"':
                if value[i] == "\\" and i + 1 < n:
                    i += 1
                chars.append(value[i])
                i += 1
            i += 1
            tokens.append(_Token("".join(chars), True, glued))
            glued = True
        elif ch in _SEPARATORS:
            tokens.append(_Token(ch, False, glued))
            glued = True
            i += 1
        else:
            start = i
            while i < n and not value[i].isspace() and value[i] not in '()";=':
                i += 1
            tokens.append(_Token(value[start:i], False, glued))
            glued = True
    return tokens


def _is_sep(token: _Token, sep: str) -> bool:
    return not token.quoted and token.text == sep


def _split_resinfo(tokens: list[_Token]) -> list[list[_Token]]:
    """Split on ";" outside quoted strings: the authserv-id part, then each resinfo."""
    parts: list[list[_Token]] = [[]]
    for token in tokens:
        if _is_sep(token, ";"):
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def _pairs(tokens: list[_Token]) -> list[tuple[str, str]]:
    """`key = value` pairs; the key is every token since the last value (so `header . d`
    and `dkim / 1` come out whole), the value the tokens glued to the first after "="
    (so `"john doe"@example.com` and base64 ending in "=" are one value)."""
    pairs: list[tuple[str, str]] = []
    key: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if _is_sep(token, "=") and key:
            i += 1
            value: list[str] = []
            # Glued tokens continue the value, "=" too: base64 padding in header.b=
            while i < len(tokens) and (tokens[i].glued or not value):
                if not value and _is_sep(tokens[i], "="):
                    break
                value.append(tokens[i].text)
                i += 1
            pairs.append(("".join(key), "".join(value)))
            key = []
        else:
            key.append(token.text)
            i += 1
    return pairs


# --------------------------------------------------------------------------- parsing

_VERSION = re.compile(r"\d+")


def parse_authentication_results(value: str) -> AuthResults | None:
    """Parse one header value (RFC 8601 §2.2); None when there is no authserv-id.

    Unknown methods and properties are kept; a resinfo without `method=result` is
    skipped, as RFC 8601 §2.2 leaves them to the reader's discretion.
    """
    parts = _split_resinfo(_tokens(value.replace("\r", "").replace("\n", " ")))
    head = parts[0]
    if not head or head[0].text == "":
        return None
    if any(_is_sep(token, "=") for token in head):
        # No authserv-id at all (Exchange Online writes "spf=pass ...; dkim=..."): keep
        # the results under an empty id, which no operator can name as trusted.
        authserv_id, version = "", None
        parts = [[], *parts]
    else:
        authserv_id = head[0].text.lower()
        version = head[1].text if len(head) > 1 and _VERSION.fullmatch(head[1].text) else None
    results: list[MethodResult] = []
    for part in parts[1:]:
        pairs = _pairs(part)
        if not pairs:
            continue  # "; none" (RFC 8601 §2.2 no-result) or a stray ";"
        method, result = pairs[0]
        name, _, method_version = method.partition("/")
        reason: str | None = None
        props: list[Property] = []
        for key, val in pairs[1:]:
            if key.lower() == "reason":
                reason = val
                continue
            ptype, dot, prop = key.partition(".")
            if dot:
                props.append(Property(ptype.lower(), prop.lower(), val))
        results.append(
            MethodResult(
                method=name.lower(),
                result=result.lower(),
                reason=reason,
                properties=tuple(props),
                version=method_version or None,
            )
        )
    return AuthResults(authserv_id, tuple(results), version)


def parse_all(values: Iterable[str]) -> tuple[AuthResults, ...]:
    """Parse every Authentication-Results header value, dropping the unparseable."""
    parsed = (parse_authentication_results(v) for v in values)
    return tuple(p for p in parsed if p is not None)


# ------------------------------------------------------------------------- alignment


def organizational_domain(domain: str) -> str:
    """The organizational domain by the two-label rule (see the module docstring)."""
    labels = domain.lower().strip(".").split(".")
    if len(labels) >= 3 and ".".join(labels[-2:]) in _TWO_LABEL_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def aligned(domain: str | None, from_domain: str) -> bool:
    """Relaxed alignment (RFC 7489 §3.1): the same organizational domain."""
    if not domain or not from_domain:
        return False
    return organizational_domain(domain) == organizational_domain(from_domain)


def _domain_of(value: str | None) -> str | None:
    """The domain of `user@domain`, `@domain` or a bare domain."""
    if not value:
        return None
    return value.rpartition("@")[2].strip().lower().rstrip(".") or None


# ------------------------------------------------------------------------ evaluation


def evaluate(
    headers: Sequence[AuthResults],
    from_domain: str,
    trusted_authserv_ids: Iterable[str],
) -> AuthVerdict:
    """Judge the trusted results for a mail whose From: is in `from_domain`.

    `headers` in the mail's order, topmost first; only the unbroken run of trusted
    headers at the top is read.  In order: no trusted header → fail; a trusted
    `dmarc=fail` → fail (never overridden); `dmarc=pass` naming the From: domain →
    pass; `dkim=pass` whose `header.d` (or `header.i`) aligns with the From: domain →
    pass; `spf=pass` whose `smtp.mailfrom` (or, without it, `smtp.helo`) aligns → pass; else fail.
    """
    trusted = {t.strip().lower() for t in trusted_authserv_ids if t.strip()}
    from_domain = from_domain.lower()
    # RFC 8601 §5: only the headers the trusted servers added count, and they stand on
    # top (each MTA prepends).  Below the first header from anyone else, a header with a
    # trusted id came with the mail: the sender may have written it.
    # A verifier gives one verdict per method on its hop: a second `dmarc=` (or `dkim=`…)
    # from the same id further down is an earlier hop's or the sender's, and ends the run.
    mine: list[AuthResults] = []
    said: set[tuple[str, str]] = set()
    for h in headers:
        methods = {(h.authserv_id, r.method) for r in h.results}
        if h.authserv_id not in trusted or methods & said:
            break
        said |= methods
        mine.append(h)
    if not mine:
        return AuthVerdict(False, "no Authentication-Results header from a trusted verifier")
    results = [r for h in mine for r in h.results]
    for r in results:
        if r.method == "dmarc" and r.result == "fail":
            return AuthVerdict(False, f"DMARC fail for {r.get('header', 'from') or from_domain}")
    for r in results:
        if r.method == "dmarc" and r.result == "pass":
            header_from = _domain_of(r.get("header", "from"))
            if header_from == from_domain:  # a pass that names no domain proves nothing
                return AuthVerdict(True, f"DMARC pass for {from_domain}")
    for r in results:
        if r.method == "dkim" and r.result == "pass":
            d = _domain_of(r.get("header", "d") or r.get("header", "i"))
            if aligned(d, from_domain):
                return AuthVerdict(True, f"DKIM pass for {d}, aligned with {from_domain}")
    for r in results:
        if r.method == "spf" and r.result == "pass":
            d = _domain_of(r.get("smtp", "mailfrom") or r.get("smtp", "helo"))
            if aligned(d, from_domain):
                return AuthVerdict(True, f"SPF pass for {d}, aligned with {from_domain}")
    seen = ", ".join(f"{r.method}={r.result}" for r in results) or "no results"
    return AuthVerdict(False, f"no DMARC or aligned DKIM/SPF pass for {from_domain} ({seen})")

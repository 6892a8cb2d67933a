"""Authentication-Results (RFC 8601) parsing and the DMARC/aligned-pass verdict."""

from __future__ import annotations

from mailfeed.parsers.authresults import (
    AuthResults,
    aligned,
    evaluate,
    organizational_domain,
    parse_all,
    parse_authentication_results,
)

# As Microsoft 365 writes it for a mail from Gmail (folded, comments, several results).
EXCHANGE_ONLINE = (
    "spf=pass (sender IP is 209.85.208.54)\r\n smtp.mailfrom=gmail.com; dkim=pass (signature"
    " was verified)\r\n header.d=gmail.com;dmarc=pass action=none\r\n header.from=gmail.com;"
    "compauth=pass reason=100"
)

# As Postfix with OpenDKIM / OpenDMARC on mx.firma.se writes them: one header each.
OPENDKIM = (
    "mx.firma.se;\n\tdkim=pass (2048-bit key; unprotected) header.d=firma.se "
    "header.i=@firma.se header.a=rsa-sha256 header.s=mail2024 header.b=Zq3f+a/B9w=="
)
OPENDMARC = "mx.firma.se; dmarc=pass (p=quarantine dis=none) header.from=firma.se"


def test_rfc8601_example_with_version_and_comments() -> None:
    # RFC 8601 Appendix B.4-style header: version, comments, several methods.
    header = parse_authentication_results(
        "example.com 1;\n"
        "          spf=pass (example.net: domain of sender@example.net\n"
        "          designates 192.0.2.200 as permitted sender) smtp.mailfrom=sender@example.net;\n"
        "          sender-id=hardfail header.from=example.com;\n"
        '          dkim=pass reason="good; signature" header.d=mail-router.example.net'
    )
    assert header is not None
    assert header.authserv_id == "example.com"
    assert header.version == "1"
    assert [(r.method, r.result) for r in header.results] == [
        ("spf", "pass"),
        ("sender-id", "hardfail"),
        ("dkim", "pass"),
    ]
    assert header.results[0].get("smtp", "mailfrom") == "sender@example.net"
    assert header.results[2].get("header", "d") == "mail-router.example.net"
    assert header.results[2].reason == "good; signature"


def test_quoted_strings_hold_semicolons_and_equals() -> None:
    header = parse_authentication_results(
        'mx.firma.se; auth=pass reason="client cert; ok=yes" smtp.auth="anna svensson"'
    )
    assert header is not None
    (result,) = header.results
    assert result.reason == "client cert; ok=yes"
    assert result.get("smtp", "auth") == "anna svensson"


def test_quoted_local_part_and_base64_padding_stay_one_value() -> None:
    header = parse_authentication_results(
        'mx.firma.se; spf=pass smtp.mailfrom="anna svensson"@firma.se; '
        "dkim=pass header.d=firma.se header.b=Zq3f+a/B9w== header.s=mail2024"
    )
    assert header is not None
    assert header.results[0].get("smtp", "mailfrom") == "anna svensson@firma.se"
    assert header.results[1].get("header", "b") == "Zq3f+a/B9w=="
    assert header.results[1].get("header", "s") == "mail2024"


def test_nested_comments_and_spaces_around_separators() -> None:
    header = parse_authentication_results(
        "mx.firma.se (Postfix (3.7)); dkim / 1 = pass (ok (really)) header . d = firma.se"
    )
    assert header is not None
    (result,) = header.results
    assert (result.method, result.version, result.result) == ("dkim", "1", "pass")
    assert result.get("header", "d") == "firma.se"


def test_none_result_and_garbage() -> None:
    header = parse_authentication_results("mx.firma.se 1; none")
    assert header == AuthResults("mx.firma.se", (), "1")
    assert parse_authentication_results("") is None
    assert parse_authentication_results("   (just a comment)") is None
    # An unterminated comment is cut off, not an exception.
    cut = parse_authentication_results("mx.firma.se; dmarc=pass (p=none")
    assert cut is not None and cut.results[0].result == "pass"


def test_exchange_online_header_without_authserv_id_separator() -> None:
    # Exchange Online writes no authserv-id: the results are read under an empty id,
    # which can never be trusted.
    (header,) = parse_all([EXCHANGE_ONLINE])
    assert header.authserv_id == ""
    assert [(r.method, r.result) for r in header.results] == [
        ("spf", "pass"),
        ("dkim", "pass"),
        ("dmarc", "pass"),
        ("compauth", "pass"),
    ]
    assert header.results[3].reason == "100"
    assert not evaluate([header], "gmail.com", ["mx.firma.se", ""]).passed


def test_organizational_domain_two_label_rule() -> None:
    assert organizational_domain("Mail.Sales.Firma.SE") == "firma.se"
    assert organizational_domain("firma.co.uk") == "firma.co.uk"
    assert organizational_domain("mail.firma.co.uk") == "firma.co.uk"
    assert aligned("bounce.firma.se", "firma.se")
    assert not aligned("firma.se.evil.com", "firma.se")
    assert not aligned("other.co.uk", "firma.co.uk")
    assert not aligned(None, "firma.se")


def test_trusted_dmarc_pass_passes() -> None:
    verdict = evaluate(parse_all([OPENDKIM, OPENDMARC]), "firma.se", ["mx.firma.se"])
    assert verdict.passed
    assert "DMARC pass" in verdict.reason


def test_untrusted_authserv_id_is_ignored() -> None:
    forged = "mx.evil.example; dmarc=pass header.from=firma.se"
    verdict = evaluate(parse_all([forged]), "firma.se", ["mx.firma.se"])
    assert not verdict.passed
    assert "no Authentication-Results header from a trusted verifier" in verdict.reason


def test_dmarc_fail_is_never_overridden_by_dkim() -> None:
    headers = parse_all(
        ["MX.Firma.se; dkim=pass header.d=firma.se; dmarc=fail header.from=firma.se"]
    )
    verdict = evaluate(headers, "firma.se", ["mx.firma.se"])
    assert not verdict.passed
    assert "DMARC fail" in verdict.reason


def test_dmarc_pass_for_another_from_domain_does_not_count() -> None:
    headers = parse_all(["mx.firma.se; dmarc=pass header.from=partner.se"])
    assert not evaluate(headers, "firma.se", ["mx.firma.se"]).passed


def test_aligned_dkim_pass_without_dmarc() -> None:
    verdict = evaluate(parse_all([OPENDKIM]), "firma.se", ["mx.firma.se"])
    assert verdict.passed
    assert "DKIM pass for firma.se" in verdict.reason


def test_unaligned_dkim_pass_fails_with_what_was_seen() -> None:
    # A newsletter service signs with its own domain: a pass, but not for firma.se.
    headers = parse_all(
        ["mx.firma.se; dkim=pass header.d=mcsv.net; spf=softfail smtp.mailfrom=mcsv.net"]
    )
    verdict = evaluate(headers, "firma.se", ["mx.firma.se"])
    assert not verdict.passed
    assert "dkim=pass, spf=softfail" in verdict.reason


def test_aligned_spf_pass_from_a_subdomain() -> None:
    headers = parse_all(["mx.firma.se; spf=pass smtp.mailfrom=bounces@mail.firma.se"])
    verdict = evaluate(headers, "firma.se", ["mx.firma.se"])
    assert verdict.passed
    assert "SPF pass for mail.firma.se" in verdict.reason


def test_no_headers_at_all() -> None:
    assert not evaluate((), "firma.se", ["mx.firma.se"]).passed

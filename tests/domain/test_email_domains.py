"""How what the DNS serves is judged against the records a sending domain publishes (pure rules)."""

from __future__ import annotations

import pytest

from frontdesk.domain import email_domains as rules

SPF_MINE = rules.spf_value("203.0.113.5 mail.example.net include:_spf.host.test")
RECORDS = {r.purpose: r for r in rules.records("clinic.test", "fd1", "QUJD", SPF_MINE, rules.DEFAULT_DMARC)}


def test_the_spf_value_names_the_servers_hosts() -> None:
    assert SPF_MINE == "v=spf1 ip4:203.0.113.5 a:mail.example.net include:_spf.host.test ~all"
    assert rules.spf_value("2001:db8::/32") == "v=spf1 ip6:2001:db8::/32 ~all"
    assert rules.spf_value(None) == rules.DEFAULT_SPF == "v=spf1 mx ~all"


@pytest.mark.parametrize(
    ("purpose", "found", "status"),
    [
        ("dkim", None, "PENDING"),
        ("dkim", ["v=DKIM1; k=rsa; p=QUJD"], "VERIFIED"),
        ("dkim", ["v=DKIM1; k=rsa;  p=QU JD "], "VERIFIED"),  # a provider's own spacing
        ("dkim", ["v=DKIM1; k=rsa; p=WFla"], "FAILED"),
        ("spf", ["google-site-verification=x"], "PENDING"),  # other TXT at the domain: no SPF yet
        ("spf", [f"{SPF_MINE}"], "VERIFIED"),
        ("spf", ["v=spf1 include:_spf.host.test ip4:203.0.113.5 a:mail.example.net mx -all"], "VERIFIED"),
        ("spf", ["v=spf1 mx ~all"], "FAILED"),  # this server is not in it
        ("spf", [SPF_MINE, "v=spf1 mx ~all"], "FAILED"),  # two SPF records: a permanent error
        ("dmarc", None, "PENDING"),
        ("dmarc", ["v=DMARC1; p=reject"], "VERIFIED"),
        ("dmarc", ["v=DMARC1; p=maybe"], "FAILED"),
        ("dmarc", ["hello"], "FAILED"),
    ],
)
def test_a_record_is_pending_verified_or_failed(purpose: str, found: list[str] | None, status: str) -> None:
    assert rules.check(RECORDS[purpose], found) == status


def test_without_the_servers_hosts_any_one_spf_record_will_do() -> None:
    spf = rules.records("clinic.test", "fd1", "QUJD", rules.DEFAULT_SPF, rules.DEFAULT_DMARC)[1]
    assert rules.check(spf, ["v=spf1 include:_spf.google.com ~all"]) == "VERIFIED"


def test_the_domain_is_failed_if_any_record_is_verified_if_all_are() -> None:
    assert rules.overall(["VERIFIED", "PENDING", "FAILED"]) == "FAILED"
    assert rules.overall(["VERIFIED", "PENDING", "VERIFIED"]) == "PENDING"
    assert rules.overall(["VERIFIED"] * 3) == "VERIFIED"
    assert rules.overall([]) == "PENDING"

"""The outbound address guard (SSRF): spellings, allow-list, pinning, no redirects, the webhook sender."""

import socket

import pytest
from pytest_httpserver import HTTPServer

from gongdan.core import netguard

LOCAL_SPELLINGS = [
    "http://127.0.0.1/",
    "http://localhost/",
    "http://localhost./",
    "http://LocalHost/",
    "http://api.localhost/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://0x7f.1/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[0:0:0:0:0:ffff:7f00:1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[2002:7f00:1::]/",
    "http://0.0.0.0/",
    "http://0/",
    "http://[::]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://[fd00::1]/",
    "http://224.0.0.1/",
]


@pytest.fixture
def fake_dns(monkeypatch):
    """Names in `answers` resolve to the given addresses (a list is answered in turn); others as usual."""
    answers: dict[str, list[str]] = {}
    asked: list[str] = []
    real = netguard.system_getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if host in answers:
            asked.append(host)
            queue = answers[host]
            address = queue.pop(0) if len(queue) > 1 else queue[0]
            return real(address, port, family, type, proto, flags | socket.AI_NUMERICHOST)
        return real(host, port, family, type, proto, flags)

    monkeypatch.setattr(netguard, "system_getaddrinfo", getaddrinfo)
    getaddrinfo.answers, getaddrinfo.asked = answers, asked
    return getaddrinfo


@pytest.mark.parametrize("url", LOCAL_SPELLINGS)
def test_every_spelling_of_a_local_or_private_address_is_refused(url, settings):
    settings.GONGDAN_OUTBOUND_ALLOWED_NETWORKS = []
    with pytest.raises(netguard.BlockedAddress):
        netguard.check_url(url)


def test_a_name_that_resolves_to_loopback_is_refused(fake_dns, settings):
    settings.GONGDAN_OUTBOUND_ALLOWED_NETWORKS = []
    fake_dns.answers["hooks.example.net"] = ["127.0.0.1"]

    with pytest.raises(netguard.BlockedAddress) as refused:
        netguard.check_url("https://hooks.example.net/x")

    assert (refused.value.host, refused.value.address, refused.value.reason) == (
        "hooks.example.net",
        "127.0.0.1",
        "loopback",
    )


def test_a_public_address_passes_and_the_refusal_names_the_reason(settings):
    settings.GONGDAN_OUTBOUND_ALLOWED_NETWORKS = []
    netguard.check_url("http://93.184.215.14:8080/hook")
    netguard.check_url("http://[2606:4700::1111]/hook")
    assert netguard.refusal(netguard.ipaddress.ip_address("169.254.169.254")) == "link-local"
    assert netguard.refusal(netguard.ipaddress.ip_address("::ffff:10.1.2.3")) == "private"


def test_an_allow_listed_network_is_reachable_in_every_spelling(settings):
    settings.GONGDAN_OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    for url in ("http://127.0.0.1/", "http://2130706433/", "http://localhost./", "http://[::ffff:7f00:1]/"):
        netguard.check_url(url)
    with pytest.raises(netguard.BlockedAddress):
        netguard.check_url("http://10.0.0.1/")


def test_a_token_host_is_only_checked_when_it_spells_an_address(settings):
    settings.GONGDAN_OUTBOUND_ALLOWED_NETWORKS = []
    netguard.check_url("wecombot://abcd-1234-efgh", resolve_names=False)
    with pytest.raises(netguard.BlockedAddress):
        netguard.check_url("wecombot://2130706433", resolve_names=False)


def test_the_webhook_sender_never_follows_a_redirect(httpserver: HTTPServer, settings):
    settings.GONGDAN_OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    httpserver.expect_request("/hook").respond_with_data("", status=302, headers={"Location": "/inside"})
    httpserver.expect_request("/inside").respond_with_data("secret")

    response = netguard.post(httpserver.url_for("/hook"), data=b"{}", headers={"Content-Type": "application/json"})

    assert response.status_code == 302
    assert [request.path for request, _ in httpserver.log] == ["/hook"]


def test_the_webhook_sender_refuses_loopback_before_connecting(httpserver: HTTPServer, settings):
    settings.GONGDAN_OUTBOUND_ALLOWED_NETWORKS = []
    httpserver.expect_request("/hook").respond_with_data("ok")

    with pytest.raises(netguard.BlockedAddress):
        netguard.post(f"http://2130706433:{httpserver.port}/hook", data=b"{}", headers={})

    assert httpserver.log == []


def test_the_connection_goes_to_the_checked_answer_even_if_dns_changes(fake_dns, settings):
    """DNS rebinding: the first answer is allowed, later ones point elsewhere; only the first is used."""
    settings.GONGDAN_OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    checked, elsewhere = HTTPServer(host="127.0.0.1"), HTTPServer(host="127.0.0.2", port=0)
    checked.start()
    elsewhere.port = checked.port  # same port on another loopback address
    elsewhere.start()
    try:
        for server in (checked, elsewhere):
            server.expect_request("/hook").respond_with_data("ok")
        fake_dns.answers["rebind.example.net"] = ["127.0.0.1", "127.0.0.2", "127.0.0.2"]

        response = netguard.post(f"http://rebind.example.net:{checked.port}/hook", data=b"{}", headers={})

        assert response.status_code == 200
        assert (len(checked.log), len(elsewhere.log)) == (1, 0)
        assert fake_dns.asked == ["rebind.example.net"]
    finally:
        checked.stop()
        elsewhere.stop()


def test_outside_the_guard_the_resolver_is_untouched(settings):
    settings.GONGDAN_OUTBOUND_ALLOWED_NETWORKS = []
    netguard.install()
    assert socket.getaddrinfo("127.0.0.1", 80, 0, socket.SOCK_STREAM)[0][4][0] == "127.0.0.1"

"""The SMTP transport against a real server (STARTTLS when offered, TLS from the start with
smtps://, credentials from the URL, what a failure says), and the e-mail settings."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.mail.compose import InvitationMail, Letter, compose
from app.mail.transports import SendError, SmtpTransport
from app.settings import Settings, SettingsError
from tests import external
from tests.mailbox import parts, smtp_server
from tests.processes import free_port

LETTER: Letter = compose(
    InvitationMail(
        to="newcomer@example.com",
        invitee_name=None,
        inviter_name="Admin",
        domain_name="Acme",
        role_name="member",
        message=None,
        expires_at=datetime(2030, 1, 1, tzinfo=UTC),
        link="https://app.test/#/invite/secret",
        by_link=True,
    ),
    message_id="<1@acme.test>",
)
NOW = datetime(2029, 12, 25, tzinfo=UTC)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, and its key."""
    if shutil.which("openssl") is None:
        external.unavailable("the TLS tests need the openssl command (Debian package openssl)")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def trusting(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    """A client context that verifies the server against the test's certificate."""
    return ssl.create_default_context(cafile=str(certificate[0]))


async def test_starttls_is_used_when_offered_and_the_url_credentials_are_sent(
    certificate: tuple[Path, Path],
) -> None:
    tls = server_tls(certificate)
    with smtp_server(tls_context=tls, require_starttls=True) as mailbox:
        url = f"smtp://ann%40acme.test:p%40ss%20word@127.0.0.1:{mailbox.port}"
        transport = SmtpTransport(
            url, sender="invitations@acme.test", timeout=5, tls_context=trusting(certificate)
        )

        await transport.send(LETTER, at=NOW)

    assert mailbox.logins == [("ann@acme.test", "p@ss word")]
    assert "https://app.test/#/invite/secret" in parts(mailbox.received[0])[0]


async def test_smtps_speaks_tls_from_the_start(certificate: tuple[Path, Path]) -> None:
    with smtp_server(ssl_context=server_tls(certificate)) as mailbox:
        transport = SmtpTransport(
            f"smtps://127.0.0.1:{mailbox.port}",
            sender="invitations@acme.test",
            timeout=5,
            tls_context=trusting(certificate),
        )

        await transport.send(LETTER, at=NOW)

    assert len(mailbox.received) == 1


async def test_an_untrusted_certificate_is_refused(certificate: tuple[Path, Path]) -> None:
    with smtp_server(tls_context=server_tls(certificate), require_starttls=True) as mailbox:
        transport = SmtpTransport(mailbox.url, sender="invitations@acme.test", timeout=5)

        with pytest.raises(SendError, match="CERTIFICATE_VERIFY_FAILED"):
            await transport.send(LETTER, at=NOW)

    assert mailbox.received == []


async def test_no_server_is_a_send_error() -> None:
    transport = SmtpTransport(
        f"smtp://127.0.0.1:{free_port()}", sender="invitations@acme.test", timeout=5
    )

    with pytest.raises(SendError):
        await transport.send(LETTER, at=NOW)


# --- configuration -----------------------------------------------------------------------


def test_email_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "SMTP_URL": "smtps://ann:secret@mail.acme.test",
        "MAIL_FROM": "Acme <invitations@acme.test>",
        "EMAIL_RETRY_SECONDS": "5, 60",
        "PORT": "9000",
    }.items():
        monkeypatch.setenv(name, value)

    settings = Settings.from_env(env_file="/nonexistent")
    transport = SmtpTransport(settings.smtp_url or "", sender=settings.mail_from, timeout=1)

    assert settings.email_retry_seconds == (5, 60)
    assert settings.web_url == "http://127.0.0.1:9000"  # PUBLIC_URL's default
    assert (transport.hostname, transport.port, transport.implicit_tls) == (
        "mail.acme.test",
        465,
        True,
    )
    assert (transport.username, transport.password) == ("ann", "secret")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SMTP_URL", "http://mail.acme.test"),
        ("SMTP_URL", "smtp://mail.acme.test:port"),
        ("EMAIL_RETRY_SECONDS", "30,soon"),
        ("EMAIL_RETRY_SECONDS", "30,0"),
        ("PUBLIC_URL", "ftp://acme.test"),
        ("EMAIL_TIMEOUT_SECONDS", "0"),
    ],
)
def test_unusable_email_settings_refuse_to_start(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(SettingsError, match=name):
        Settings.from_env(env_file="/nonexistent")

"""Mutual TLS: a throwaway CA issues the fake's server certificate and a client certificate;
the fake requires the client certificate (VDX_CLIENT_CERT/KEY), the client checks the server's
(VDX_CA_BUNDLE)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conferences.providers import BookingState, ProviderError
from conferences.providers.vdx import VdxProvider
from devtools.vdx_fake_server import running_fake_vdx

from .conftest import configure
from .test_vdx_booking import book

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)  # noqa: S603,S607


def issue(name: str, extensions: str, cwd: Path) -> None:
    """A key and a certificate signed by ca.pem, valid for a day."""
    (cwd / f"{name}.ext").write_text(extensions)
    openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key",
            "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=cwd)
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "1", "-out", f"{name}.pem", "-extfile", f"{name}.ext",
            cwd=cwd)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cwd = tmp_path_factory.mktemp("pki")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
            "-days", "1", "-subj", "/CN=Throwaway test CA", cwd=cwd)
    issue("server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n", cwd)
    issue("client", "extendedKeyUsage=clientAuth\n", cwd)
    return cwd


@pytest.fixture
def tls_fake(pki: Path):
    tls = {"cert": str(pki / "server.pem"), "key": str(pki / "server.key"),
           "client_ca": str(pki / "ca.pem")}
    with running_fake_vdx(tls=tls, require_token=False) as fake:
        yield fake


def test_the_client_certificate_opens_the_connection(settings, pki, tls_fake):
    configure(settings, tls_fake, VDX_TOKEN_URL="", VDX_CLIENT_CERT=str(pki / "client.pem"),
              VDX_CLIENT_KEY=str(pki / "client.key"), VDX_CA_BUNDLE=str(pki / "ca.pem"))
    vdx = VdxProvider.from_settings()

    assert tls_fake.url.startswith("https://")
    assert vdx.status(book(vdx)).state is BookingState.OK


def test_without_a_client_certificate_the_connection_is_refused(settings, pki, tls_fake):
    # Token auth alone: from_settings accepts it, but this server insists on a certificate.
    configure(settings, tls_fake, VDX_CA_BUNDLE=str(pki / "ca.pem"), VDX_RETRIES=1)
    vdx = VdxProvider.from_settings()

    with pytest.raises(ProviderError, match="CERTIFICATE_REQUIRED"):
        book(vdx)
    assert tls_fake.state()["bookings_created"] == 0


def test_a_server_certificate_from_an_unknown_ca_is_refused(settings, pki, tls_fake):
    configure(settings, tls_fake, VDX_TOKEN_URL="", VDX_CLIENT_CERT=str(pki / "client.pem"),
              VDX_CLIENT_KEY=str(pki / "client.key"), VDX_RETRIES=0)  # public CAs only

    with pytest.raises(ProviderError, match="CERTIFICATE_VERIFY_FAILED"):
        book(VdxProvider.from_settings())
    assert tls_fake.state()["bookings_created"] == 0


def test_token_and_certificate_together(settings, pki):
    tls = {"cert": str(pki / "server.pem"), "key": str(pki / "server.key"),
           "client_ca": str(pki / "ca.pem")}
    with running_fake_vdx(tls=tls) as fake:
        configure(settings, fake, VDX_CLIENT_CERT=str(pki / "client.pem"),
                  VDX_CLIENT_KEY=str(pki / "client.key"), VDX_CA_BUNDLE=str(pki / "ca.pem"))
        book(VdxProvider.from_settings())

        assert fake.state()["tokens_issued"] == 1
        assert fake.state()["bookings_created"] == 1

"""A one-certificate CA bundle for tests whose servers all speak plain HTTP on loopback.

Every HTTP client (httpx for arXiv, the openai SDK's for the LLM) loads the whole CA bundle
when it is built, about 50 ms each and two per refresh, though no test here ever verifies
a certificate. A module that imports this fixture points `SSL_CERT_FILE`, which both
clients honour, at a bundle of one certificate instead:

    from tests.support.tls import one_ca_bundle  # noqa: F401  (autouse)
"""

from __future__ import annotations

import certifi
import pytest

BEGIN, END = "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"


@pytest.fixture(autouse=True)
def one_ca_bundle(monkeypatch, tmp_path_factory):
    path = tmp_path_factory.getbasetemp() / "one-ca.pem"
    if not path.exists():
        with open(certifi.where(), encoding="ascii") as f:
            bundle = f.read()
        path.write_text(bundle[bundle.index(BEGIN) : bundle.index(END) + len(END)] + "\n", encoding="ascii")
    monkeypatch.setenv("SSL_CERT_FILE", str(path))

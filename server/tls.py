"""Checks the certificate and key `mendan serve` was given before uvicorn starts, so a wrong path or a
key of another certificate is one clear line instead of a traceback."""

from __future__ import annotations

import ssl

from cryptography import x509


class TlsError(Exception):
    pass


def check_tls(cert: str, key: str) -> list[str] | None:
    """The certificate's DNS names (first one first), or None when serving plain HTTP."""
    if not cert and not key:
        return None
    if not cert or not key:
        raise TlsError("--tls-cert and --tls-key (MENDAN_TLS_CERT, MENDAN_TLS_KEY) go together")
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
        with open(cert, "rb") as file:
            certificate = x509.load_pem_x509_certificate(file.read())
    except (OSError, ssl.SSLError, ValueError) as exc:
        raise TlsError(f"cannot use certificate {cert} with key {key}: {exc}") from None
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    return [str(name) for name in names.value.get_values_for_type(x509.DNSName)]

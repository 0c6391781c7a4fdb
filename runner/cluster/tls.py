"""TLS settings: a custom CA bundle and a client certificate (mTLS).

Paths come from --ca-bundle/--client-cert/--client-key or CAMUNDA_MTLS_CA_PATH/_CERT_PATH/
_KEY_PATH; PEM text from CAMUNDA_MTLS_CA/_CERT/_KEY (the key is a secret). PEM text for the
certificate and key has to pass through files for Python's ssl module: they are written to a
private temporary directory, loaded, and deleted at once.
"""

from __future__ import annotations

import os
import ssl
import tempfile
from pathlib import Path

from runner.cluster.config import ClusterConfig
from runner.errors import ConfigError


def needs_custom_tls(config: ClusterConfig) -> bool:
    return any((config.ca_bundle, config.ca_pem, config.client_cert, config.client_cert_pem))


def build_ssl_context(config: ClusterConfig) -> ssl.SSLContext | bool:
    """An SSL context for ``config``, or True (the system's default verification)."""
    if not needs_custom_tls(config):
        return True
    context = ssl.create_default_context()
    try:
        if config.ca_bundle:
            context.load_verify_locations(cafile=config.ca_bundle)
        if config.ca_pem:
            context.load_verify_locations(cadata=config.ca_pem)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"cannot load the CA bundle: {exc}",
                          hint="--ca-bundle / CAMUNDA_MTLS_CA_PATH must name a PEM file") from exc
    password = config.key_passphrase.reveal() if config.key_passphrase else None
    if config.client_cert:
        try:
            context.load_cert_chain(config.client_cert, config.client_key, password=password)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"cannot load the client certificate: {exc}",
                              hint="--client-cert/--client-key (CAMUNDA_MTLS_CERT_PATH/"
                              "CAMUNDA_MTLS_KEY_PATH) must name PEM files") from exc
    elif config.client_cert_pem:
        _load_pem_chain(context, config, password)
    return context


def _load_pem_chain(context: ssl.SSLContext, config: ClusterConfig,
                    password: str | None) -> None:
    assert config.client_cert_pem is not None
    with tempfile.TemporaryDirectory(prefix="c8migrate-mtls-") as folder:
        cert = Path(folder, "cert.pem")
        cert.write_text(config.client_cert_pem, encoding="utf-8")
        key: Path | None = None
        if config.client_key_pem is not None:
            key = Path(folder, "key.pem")
            fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(config.client_key_pem.reveal())
        try:
            context.load_cert_chain(cert, key, password=password)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError("cannot load the client certificate from CAMUNDA_MTLS_CERT/"
                              f"CAMUNDA_MTLS_KEY: {exc.__class__.__name__}") from exc

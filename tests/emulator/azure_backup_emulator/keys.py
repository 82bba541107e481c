"""Key material of the authority, and the few JWS (compact JWT) operations it needs.

- ``SigningKey``: an RSA key that signs JWTs (RS256) and publishes itself as a JWK: the tenant's key
  (id tokens, ``/{tenant}/discovery/v2.0/keys``) and the emulator's external OIDC issuer
  (``/federation``, tokens for workload identity federation).
- ``ClientCertificate``: the certificate registered on the app (service principal with a
  certificate): generated (self-signed RSA 2048, with its private key) or given as a public PEM.

The JWT code is written against RFC 7515/7519 with ``cryptography`` only, so a broken assertion is
classified exactly (malformed, wrong key, bad signature); clients build theirs with PyJWT/msal.
"""

import base64
import binascii
import hashlib
import json
import threading
from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

RSA_ALGORITHMS = ("RS256", "PS256")


class JwtError(ValueError):
    """The text is not a compact JWS with a JSON header and payload."""


def b64url(data):
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def b64url_decode(text):
    if not isinstance(text, str) or not text or any(c not in _B64URL for c in text):
        raise JwtError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise JwtError("not base64url") from exc


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class Jwt:
    """A decoded (not yet verified) compact JWS."""

    def __init__(self, token):
        if not isinstance(token, str):
            raise JwtError("not a string")
        parts = token.strip().split(".")
        if len(parts) != 3 or not parts[2]:
            raise JwtError("a JWS has three parts")
        try:
            self.header = json.loads(b64url_decode(parts[0]))
            self.claims = json.loads(b64url_decode(parts[1]))
        except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, JwtError
            raise JwtError("header or payload is not JSON") from exc
        if not isinstance(self.header, dict) or not isinstance(self.claims, dict):
            raise JwtError("header and payload must be JSON objects")
        self.signing_input = ("%s.%s" % (parts[0], parts[1])).encode("ascii")
        self.signature = b64url_decode(parts[2])

    @property
    def alg(self):
        return self.header.get("alg")

    def verify(self, public_key):
        """True if the signature (RS256 or PS256, as ``alg`` says) is ``public_key``'s."""
        if self.alg == "RS256":
            pad = padding.PKCS1v15()
        elif self.alg == "PS256":
            pad = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)
        else:
            return False
        try:
            public_key.verify(self.signature, self.signing_input, pad, hashes.SHA256())
        except (InvalidSignature, ValueError, TypeError):
            return False
        return True


def sign(private_key, claims, headers=None, alg="RS256"):
    """A compact JWS of ``claims`` (RS256 or PS256)."""
    header = {"alg": alg, "typ": "JWT"}
    header.update(headers or {})
    signing_input = "%s.%s" % (
        b64url(json.dumps(header, separators=(",", ":")).encode()),
        b64url(json.dumps(claims, separators=(",", ":")).encode()),
    )
    if alg == "RS256":
        pad = padding.PKCS1v15()
    elif alg == "PS256":
        pad = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)
    else:
        raise ValueError("alg must be RS256 or PS256")
    signature = private_key.sign(signing_input.encode("ascii"), pad, hashes.SHA256())
    return signing_input + "." + b64url(signature)


def _int_b64(value):
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def new_rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class SigningKey:
    """An RSA signing key with a ``kid`` (derived from the public key) and its JWK."""

    def __init__(self, private_key=None):
        self.private_key = private_key or new_rsa_key()
        self.public_key = self.private_key.public_key()
        der = self.public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.kid = b64url(hashlib.sha1(der).digest())  # noqa: S324 - an identifier, as Entra's kids

    def jwk(self):
        numbers = self.public_key.public_numbers()
        return {
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": _int_b64(numbers.n),
            "e": _int_b64(numbers.e),
        }

    def sign(self, claims, headers=None):
        return sign(self.private_key, claims, dict({"kid": self.kid}, **(headers or {})))


class ClientCertificate:
    """The certificate registered for the app: the public part always, the private key only when the
    emulator generated it (then it can hand clients the key + certificate PEM)."""

    def __init__(self, certificate, private_key=None):
        self.certificate = certificate
        self.private_key = private_key
        self.public_key = certificate.public_key()
        if not isinstance(self.public_key, rsa.RSAPublicKey):
            raise ValueError("client_certificate_pem must hold an RSA certificate")
        self.sha1 = certificate.fingerprint(hashes.SHA1())  # noqa: S303 - x5t is SHA-1 by definition
        self.sha256 = certificate.fingerprint(hashes.SHA256())
        self.thumbprint = self.sha1.hex().upper()  # as the portal shows it
        self.x5t = b64url(self.sha1)
        self.x5t_s256 = b64url(self.sha256)

    @classmethod
    def generate(cls, common_name="azure-backup-emulator-client", days=365):
        key = new_rsa_key()
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        now = datetime.now(timezone.utc)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=True,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(key, hashes.SHA256())
        )
        return cls(cert, key)

    @classmethod
    def from_pem(cls, pem):
        """The public certificate of a PEM text (a private key block in it, if any, is ignored)."""
        data = pem.encode() if isinstance(pem, str) else pem
        try:
            return cls(x509.load_pem_x509_certificate(data))
        except ValueError as exc:
            raise ValueError("client_certificate_pem is not a PEM certificate: %s" % exc) from None

    @property
    def not_before(self):
        return self.certificate.not_valid_before_utc

    @property
    def not_after(self):
        return self.certificate.not_valid_after_utc

    @property
    def cert_pem(self):
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def bundle_pem(self):
        """Private key (PKCS#8, unencrypted) then certificate: what azure-identity's
        AZURE_CLIENT_CERTIFICATE_PATH and azure.azcollection's x509_certificate_path take."""
        key = self.private_key_pem
        return None if key is None else key + self.cert_pem

    @property
    def private_key_pem(self):
        if self.private_key is None:
            return None
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()


class KeyRing:
    """The emulator's keys, made once per emulator (a new scenario keeps them, so files handed to
    clients stay valid): the tenant's signing key, the external OIDC issuer's key, and the client
    certificate generated for the app (lazily: only when no scenario names one)."""

    def __init__(self):
        self.tenant = SigningKey()
        self.federation = SigningKey()
        self._lock = threading.Lock()
        self._client_certificate = None

    @property
    def generated_client_certificate(self):
        with self._lock:
            if self._client_certificate is None:
                self._client_certificate = ClientCertificate.generate()
            return self._client_certificate

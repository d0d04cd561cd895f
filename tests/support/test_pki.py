"""P-256 keys and X.509 certificates for the SCP11 end-to-end tests, made with python3-cryptography,
independently of sefleet. Imported by the test scripts' embedded Python (tests/support on sys.path)."""
import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def key():
    return ec.generate_private_key(ec.SECP256R1())


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def cert(subject_key, subject, issuer_key, issuer):
    """A 30-day certificate of subject_key's public key named CN=subject, signed by issuer_key."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer))
            .public_key(subject_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=30))
            .sign(issuer_key, hashes.SHA256()))


def point(k):
    """The uncompressed public point of a key, in hex."""
    return k.public_key().public_bytes(serialization.Encoding.X962,
                                       serialization.PublicFormat.UncompressedPoint).hex()

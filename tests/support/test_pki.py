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


def scp11_profile(sd, sd_cert, oce_ca):
    """A card profile (JSON bytes) with the fixed SCP03 test keys, the SCP11 SD key sd certified by
    sd_cert (leaf of the chain) and PK.CA-KLOC.ECDSA of oce_ca for the OCE keys of KVN 10."""
    scalar = sd.private_numbers().private_value.to_bytes(32, "big").hex()
    return (('{"se_id": "5345464C45455431", "kdd": "00112233445566778899", '
             '"isd_aid": "A000000151000000", "platform_id": "0102030405060708", '
             '"scp03": {"kvn": "30", "i": "70", "enc": "404142434445464748494A4B4C4D4E4F", '
             '"mac": "404142434445464748494A4B4C4D4E4F", "dek": "404142434445464748494A4B4C4D4E4F"}, '
             '"scp11": {"kvn": "01", "sk_sd_ecka": "%s", "certificates": ["%s"], "oce": {"kvn": "10", "ca_pk": "%s"}}, '
             '"allow_downgrade": false}')
            % (scalar, sd_cert.public_bytes(serialization.Encoding.DER).hex(), point(oce_ca))).encode()

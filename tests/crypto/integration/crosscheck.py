#!/usr/bin/python3
"""Independent results for tests/crypto/integration/python_crosscheck_test.cpp, computed with Debian's
python3-cryptography (OpenSSL underneath, but a separate code path from sefleet's wrappers) and the
Python standard library.

Usage: crosscheck.py REQUEST.json RESPONSE.json
The request is a list of cases {"op": ..., fields as hex strings}; the response lists one result object
per case, in the same order. Every failure is an exception: the test then sees a non-zero exit status.
"""
import binascii
import hashlib
import hmac
import json
import sys
import zlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

try:  # newer python3-cryptography moved 3DES (which also takes 8-byte single-DES keys) here
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:  # Debian 12's version
    TripleDES = algorithms.TripleDES

HASHES = {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
          "sha384": hashes.SHA384, "sha512": hashes.SHA512}
CURVES = {"secp192r1": ec.SECP192R1, "secp224r1": ec.SECP224R1, "secp256r1": ec.SECP256R1,
          "secp384r1": ec.SECP384R1, "secp521r1": ec.SECP521R1, "brainpoolP256r1": ec.BrainpoolP256R1,
          "brainpoolP384r1": ec.BrainpoolP384R1, "brainpoolP512r1": ec.BrainpoolP512R1}


def hx(case, field):
    return bytes.fromhex(case[field])


def cipher_run(algorithm, mode, data):
    encryptor = Cipher(algorithm, mode).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def iso9797_m2(data, block):
    padded = data + b"\x80"
    return padded + b"\x00" * (-len(padded) % block)


def des_cbc_mac(key, data):
    return cipher_run(TripleDES(key), modes.CBC(bytes(8)), data)[-8:]


def bit_reverse(value, width):
    return int(format(value, "0%db" % width)[::-1], 2)


def crc32_posix(data, initial):
    # zlib's CRC-32 is the reflected form; on bit-reversed input bytes its bit-reversed register is the
    # MSB-first register. Its `value` argument is the previous (complemented) CRC: register = value ^ FF..FF.
    reversed_input = bytes(bit_reverse(b, 8) for b in data)
    start = bit_reverse(initial, 32) ^ 0xFFFFFFFF
    return bit_reverse(zlib.crc32(reversed_input, start) ^ 0xFFFFFFFF, 32) ^ 0xFFFFFFFF


def rsa_private(case):
    n, e = int(case["n"], 16), int(case["e"], 16)
    p, q, d = int(case["p"], 16), int(case["q"], 16), int(case["d"], 16)
    numbers = rsa.RSAPrivateNumbers(p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q),
                                    rsa.RSAPublicNumbers(e, n))
    return numbers.private_key()


def rsa_padding(name, algorithm):
    if name == "pss":
        return padding.PSS(mgf=padding.MGF1(algorithm), salt_length=algorithm.digest_size)
    return padding.PKCS1v15()


def fixed(value, size=None):
    """Big-endian hex of `value`, `size` bytes long (minimal length when None)."""
    return value.to_bytes(size or (value.bit_length() + 7) // 8, "big").hex().upper()


def run(case):
    op = case["op"]
    if op == "digest":
        return {"digest": hashlib.new(case["alg"], hx(case, "data")).hexdigest()}
    if op == "hmac":
        return {"mac": hmac.new(hx(case, "key"), hx(case, "data"), case["alg"]).hexdigest()}
    if op == "aes":
        mode = {"ecb": lambda: modes.ECB(), "cbc": lambda: modes.CBC(hx(case, "iv")),
                "ctr": lambda: modes.CTR(hx(case, "iv"))}[case["mode"]]()
        return {"out": cipher_run(algorithms.AES(hx(case, "key")), mode, hx(case, "data")).hex()}
    if op == "des":
        mode = modes.ECB() if case["mode"] == "ecb" else modes.CBC(hx(case, "iv"))
        return {"out": cipher_run(TripleDES(hx(case, "key")), mode, hx(case, "data")).hex()}
    if op == "des_mac_m2":
        return {"mac": des_cbc_mac(hx(case, "key"), iso9797_m2(hx(case, "data"), 8)).hex()}
    if op == "retail_mac_m2":
        key = hx(case, "key")
        chained = des_cbc_mac(key[:8], iso9797_m2(hx(case, "data"), 8))
        decrypted = Cipher(TripleDES(key[8:16]), modes.ECB()).decryptor().update(chained)
        return {"mac": cipher_run(TripleDES(key[:8]), modes.ECB(), decrypted).hex()}
    if op == "crc16":
        # binascii.crc_hqx is the MSB-first CRC with generator 0x1021 and no final XOR.
        return {"value": "%04X" % (binascii.crc_hqx(hx(case, "data"), int(case["init"], 16)) ^ 0xFFFF)}
    if op == "crc32":
        return {"value": "%08X" % crc32_posix(hx(case, "data"), int(case["init"], 16))}
    if op == "rsa_verify":
        key = rsa.RSAPublicNumbers(int(case["e"], 16), int(case["n"], 16)).public_key()
        algorithm = HASHES[case["alg"]]()
        try:
            key.verify(hx(case, "sig"), hx(case, "msg"), rsa_padding(case["padding"], algorithm), algorithm)
            return {"valid": True}
        except InvalidSignature:
            return {"valid": False}
    if op == "rsa_type1_recover":
        key = rsa.RSAPublicNumbers(int(case["e"], 16), int(case["n"], 16)).public_key()
        return {"data": key.recover_data_from_signature(hx(case, "block"), padding.PKCS1v15(), None).hex()}
    if op == "rsa_decrypt":
        key = rsa_private(case)
        if case["padding"] == "pkcs1":
            scheme = padding.PKCS1v15()
        else:  # "oaep_sha1", "oaep_sha256", ...
            algorithm = HASHES[case["padding"].split("_")[1]]()
            scheme = padding.OAEP(mgf=padding.MGF1(algorithm), algorithm=algorithm, label=None)
        return {"plain": key.decrypt(hx(case, "ciphertext"), scheme).hex()}
    if op == "rsa_generate_and_use":
        key = rsa.generate_private_key(public_exponent=65537, key_size=int(case["bits"]))
        numbers = key.private_numbers()
        size = (int(case["bits"]) + 7) // 8
        msg = hx(case, "msg")
        out = {"n": fixed(numbers.public_numbers.n, size), "e": "010001",
               "p": fixed(numbers.p), "q": fixed(numbers.q), "dp": fixed(numbers.dmp1),
               "dq": fixed(numbers.dmq1), "qinv": fixed(numbers.iqmp)}
        for name, algorithm in HASHES.items():
            out["pkcs1_" + name] = key.sign(msg, padding.PKCS1v15(), algorithm()).hex()
        out["pss_sha256"] = key.sign(msg, rsa_padding("pss", hashes.SHA256()), hashes.SHA256()).hex()
        out["pkcs1_ciphertext"] = key.public_key().encrypt(msg, padding.PKCS1v15()).hex()
        out["oaep_ciphertext"] = key.public_key().encrypt(msg, padding.OAEP(
            mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)).hex()
        return out
    if op == "ecdsa_verify":
        curve = CURVES[case["curve"]]()
        key = ec.EllipticCurvePublicKey.from_encoded_point(curve, hx(case, "point"))
        try:
            key.verify(hx(case, "der"), hx(case, "msg"), ec.ECDSA(HASHES[case["alg"]]()))
            return {"valid": True}
        except InvalidSignature:
            return {"valid": False}
    if op == "ec_generate_and_use":
        curve = CURVES[case["curve"]]()
        key = ec.generate_private_key(curve)
        peer = ec.EllipticCurvePublicKey.from_encoded_point(curve, hx(case, "peer"))
        out = {"point": key.public_key().public_bytes(serialization.Encoding.X962,
                                                      serialization.PublicFormat.UncompressedPoint).hex(),
               "shared_x": key.exchange(ec.ECDH(), peer).hex()}
        for name, algorithm in HASHES.items():
            out["der_" + name] = key.sign(hx(case, "msg"), ec.ECDSA(algorithm())).hex()
        digest = hashlib.sha256(hx(case, "msg")).digest()
        out["der_prehashed_sha256"] = key.sign(digest, ec.ECDSA(utils.Prehashed(hashes.SHA256()))).hex()
        return out
    raise ValueError("unknown op " + op)


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    results = [run(case) for case in cases]
    with open(sys.argv[2], "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()

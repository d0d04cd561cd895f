// The native tables of javacard.security and javacardx.crypto (contracts: javacard/rom/NATIVES.md;
// the parsing and key caches they share: crypto_support.hpp), listed in all_native_tables().
#pragma once

#include "card/javacard/vm/native_call.hpp"

namespace sefleet::card::javacard::natives {

vm::NativeTable security_exception_natives();      // security_exceptions.cpp: CryptoException.throwIt
vm::NativeTable security_digest_natives();         // security_digest.cpp: DigestImpl
vm::NativeTable crypto_block_cipher_natives();     // crypto_block_cipher.cpp: AES/DES/3DES, CTR
vm::NativeTable crypto_aead_natives();             // crypto_aead.cpp: AeadImpl (AES-GCM, AES-CCM)
vm::NativeTable crypto_rsa_cipher_natives();       // crypto_rsa_cipher.cpp: RSA NOPAD, PKCS#1, OAEP
vm::NativeTable security_signature_natives();      // security_signature.cpp: RSA and ECDSA signatures
vm::NativeTable security_key_agreement_natives();  // security_key_agreement.cpp: ECDH
vm::NativeTable security_key_natives();            // security_keys.cpp: key generation, curves, points
vm::NativeTable security_random_natives();         // security_random.cpp: RandomData
vm::NativeTable security_checksum_natives();       // security_checksum.cpp: CRC-16/32

}  // namespace sefleet::card::javacard::natives

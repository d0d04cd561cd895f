// AES key wrap (RFC 3394, default IV A6A6A6A6A6A6A6A6) over OpenSSL's AES-ECB cipher (keywrap.cpp: why).
#pragma once

#include "core/bytes.hpp"
#include "core/secret.hpp"

namespace sefleet::crypto {

// `plaintext` is a multiple of 8 bytes, at least 16. Output is 8 bytes longer.
Bytes aes_key_wrap(ByteView kek, ByteView plaintext);

// Throws Error(Errc::integrity_error) when the integrity check fails (wrong KEK or altered data).
SecretBytes aes_key_unwrap(ByteView kek, ByteView wrapped);

}  // namespace sefleet::crypto

// Throughput of the primitives on the SCP03 hot path: AES-128-CBC over 64 KiB, AES-CMAC-128 over
// 64 KiB, and the SCP03 session-key derivation (S-ENC, S-MAC, S-RMAC from one host/card challenge pair).
// Compare with `openssl speed -evp aes-128-cbc -bytes 16384 -seconds 3` run on the same machine.
// Then the Java Card API algorithms through their wrappers: RSA-2048 PKCS#1 v1.5 sign and verify,
// ECDSA P-256 sign and verify on the general EC API (curve given by explicit parameters, as applets do),
// 3DES-CBC over 64 KiB, HMAC-SHA-256 over 64 KiB and over 32 bytes (per-message cost), each against
// its `openssl speed` figure (bench/scripts/crypto_vs_openssl.sh runs both and prints the ratios).
#include <benchmark/benchmark.h>

#include <cstdint>

#include "core/bytes.hpp"
#include "crypto/aes.hpp"
#include "crypto/cmac.hpp"
#include "crypto/des.hpp"
#include "crypto/ec_key.hpp"
#include "crypto/ecdsa.hpp"
#include "crypto/hmac.hpp"
#include "crypto/kbkdf.hpp"
#include "crypto/rsa.hpp"

namespace {

using sefleet::Bytes;

constexpr std::size_t kPayload = 64 * 1024;

Bytes filled(std::size_t size, std::uint8_t seed) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(seed + i * 13);
  return out;
}

void BM_Aes128CbcEncrypt64K(benchmark::State& state) {
  sefleet::crypto::Aes aes(filled(16, 1));  // one key schedule, reused as SCP03 does
  const Bytes iv(16, 0);
  const Bytes in = filled(kPayload, 2);
  Bytes out(kPayload);
  for (auto _ : state) {
    aes.cbc_encrypt(iv, in, out.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kPayload));
}
BENCHMARK(BM_Aes128CbcEncrypt64K);

void BM_Cmac128_64K(benchmark::State& state) {
  sefleet::crypto::Cmac cmac(filled(16, 3));
  const Bytes in = filled(kPayload, 4);
  for (auto _ : state) {
    auto mac = cmac.compute(in);
    benchmark::DoNotOptimize(mac);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kPayload));
}
BENCHMARK(BM_Cmac128_64K);

// One SCP03 session opening derives S-ENC (04), S-MAC (06) and S-RMAC (07) from the static keys,
// context = host challenge || card challenge (GP Amendment D §6.2.1). Fresh CMAC objects per key, as
// a card manager that keeps only the static key bytes would do.
void BM_Scp03SessionKeys(benchmark::State& state) {
  const Bytes enc = filled(16, 5);
  const Bytes mac = filled(16, 6);
  const Bytes context = filled(16, 7);
  for (auto _ : state) {
    auto s_enc = sefleet::crypto::scp03_kdf(enc, 0x04, 128, context);
    auto s_mac = sefleet::crypto::scp03_kdf(mac, 0x06, 128, context);
    auto s_rmac = sefleet::crypto::scp03_kdf(mac, 0x07, 128, context);
    benchmark::DoNotOptimize(s_enc.data());
    benchmark::DoNotOptimize(s_mac.data());
    benchmark::DoNotOptimize(s_rmac.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Scp03SessionKeys);

// The same derivation with CMAC objects built once per static key (the fast path).
void BM_Scp03SessionKeysReusedPrf(benchmark::State& state) {
  sefleet::crypto::Cmac enc(filled(16, 5));
  sefleet::crypto::Cmac mac(filled(16, 6));
  const Bytes context = filled(16, 7);
  for (auto _ : state) {
    auto s_enc = sefleet::crypto::scp03_kdf(enc, 0x04, 128, context);
    auto s_mac = sefleet::crypto::scp03_kdf(mac, 0x06, 128, context);
    auto s_rmac = sefleet::crypto::scp03_kdf(mac, 0x07, 128, context);
    benchmark::DoNotOptimize(s_enc.data());
    benchmark::DoNotOptimize(s_mac.data());
    benchmark::DoNotOptimize(s_rmac.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Scp03SessionKeysReusedPrf);

// One RSA-2048 key for the RSA benchmarks (generation takes long; it is not what is measured).
const sefleet::crypto::RsaPrivateKey& rsa2048() {
  static const auto key = sefleet::crypto::RsaPrivateKey::generate(2048);
  return key;
}

// The hash of a 32-byte message: what `openssl speed rsa2048` signs is a digest, not a message.
void BM_Rsa2048SignPkcs1Sha256(benchmark::State& state) {
  const auto& key = rsa2048();
  const Bytes hash = sefleet::crypto::digest(sefleet::crypto::DigestAlgorithm::sha256, filled(32, 8));
  for (auto _ : state) {
    auto signature = sefleet::crypto::rsa_sign_hash(key, sefleet::crypto::RsaSignaturePadding::pkcs1_v1_5,
                                                    sefleet::crypto::DigestAlgorithm::sha256, hash);
    benchmark::DoNotOptimize(signature.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Rsa2048SignPkcs1Sha256)->Unit(benchmark::kMicrosecond);

void BM_Rsa2048VerifyPkcs1Sha256(benchmark::State& state) {
  const auto& key = rsa2048();
  const auto pub = key.public_key();
  const Bytes hash = sefleet::crypto::digest(sefleet::crypto::DigestAlgorithm::sha256, filled(32, 8));
  const Bytes signature = sefleet::crypto::rsa_sign_hash(key, sefleet::crypto::RsaSignaturePadding::pkcs1_v1_5,
                                                         sefleet::crypto::DigestAlgorithm::sha256, hash);
  for (auto _ : state) {
    const bool ok = sefleet::crypto::rsa_verify_hash(pub, sefleet::crypto::RsaSignaturePadding::pkcs1_v1_5,
                                                     sefleet::crypto::DigestAlgorithm::sha256, hash, signature);
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Rsa2048VerifyPkcs1Sha256)->Unit(benchmark::kMicrosecond);

// P-256 given by its explicit parameters, as a Java Card applet sets it up (the wrapper recognises the
// named curve, so OpenSSL's optimised P-256 code runs).
sefleet::crypto::EcPrivateKey p256_key() {
  const auto named = sefleet::crypto::EcCurve::named(sefleet::crypto::NamedCurve::secp256r1);
  return sefleet::crypto::EcPrivateKey::generate(sefleet::crypto::EcCurve::from_parameters(named.parameters()));
}

void BM_EcdsaP256SignHash(benchmark::State& state) {
  const auto key = p256_key();
  const Bytes hash = sefleet::crypto::digest(sefleet::crypto::DigestAlgorithm::sha256, filled(32, 9));
  for (auto _ : state) {
    auto signature = sefleet::crypto::ecdsa_sign_hash(key, hash);
    benchmark::DoNotOptimize(signature.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EcdsaP256SignHash)->Unit(benchmark::kMicrosecond);

void BM_EcdsaP256VerifyHash(benchmark::State& state) {
  const auto key = p256_key();
  const Bytes hash = sefleet::crypto::digest(sefleet::crypto::DigestAlgorithm::sha256, filled(32, 9));
  const Bytes signature = sefleet::crypto::ecdsa_sign_hash(key, hash);
  for (auto _ : state) {
    const bool ok = sefleet::crypto::ecdsa_verify_hash(key.public_key(), hash, signature);
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EcdsaP256VerifyHash)->Unit(benchmark::kMicrosecond);

void BM_Des3CbcEncrypt64K(benchmark::State& state) {
  sefleet::crypto::Des des(filled(24, 10));  // three-key 3DES, one key schedule
  const Bytes iv(8, 0);
  const Bytes in = filled(kPayload, 11);
  Bytes out(kPayload);
  for (auto _ : state) {
    des.cbc_encrypt(iv, in, out.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kPayload));
}
BENCHMARK(BM_Des3CbcEncrypt64K);

void BM_HmacSha256(benchmark::State& state) {
  sefleet::crypto::Hmac mac(sefleet::crypto::DigestAlgorithm::sha256, filled(32, 12));
  const Bytes in = filled(static_cast<std::size_t>(state.range(0)), 13);
  for (auto _ : state) {
    auto tag = mac.compute(in);
    benchmark::DoNotOptimize(tag.data());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_HmacSha256)->Arg(32)->Arg(static_cast<std::int64_t>(kPayload));

}  // namespace

BENCHMARK_MAIN();

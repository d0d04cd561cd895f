// What the keystore tests share: a test parameterized over the two stores ("software": the in-memory
// SoftwareKeystore, "pkcs11": a Pkcs11Keystore on a fresh SoftHSM2 token), opening such a token, and
// checking that a call throws Error with the expected code.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "core/bytes.hpp"
#include "core/error.hpp"
#include "core/secret.hpp"
#include "offcard/keystore/pkcs11_keystore.hpp"
#include "offcard/keystore/software_keystore.hpp"
#include "softhsm_token.hpp"

namespace sefleet::offcard::testing {

inline std::unique_ptr<Pkcs11Keystore> open_token(const SoftHsmToken& token) {
  return Pkcs11Keystore::open(Pkcs11Config{kSoftHsmModule, token.label(), SecretBytes(bytes_of(kTokenPin))});
}

// The message of the Error `f` throws (a test failure when it throws none, or another code).
template <typename F>
std::string error_of(F&& f, Errc expected) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), expected) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no Error thrown";
  return {};
}

class EitherKeystore : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "pkcs11") {
      token_.emplace();
      store_ = open_token(*token_);
    } else {
      store_ = SoftwareKeystore::in_memory();
    }
  }
  void TearDown() override {
    store_.reset();  // before the token directory goes
    token_.reset();
  }
  Keystore& store() { return *store_; }

  std::optional<SoftHsmToken> token_;
  std::unique_ptr<Keystore> store_;
};

}  // namespace sefleet::offcard::testing

// Helpers shared by the PKCS#11 keystore's source files (pkcs11_keystore.cpp: AES keys and the
// store; pkcs11_ec_keys.cpp: P-256 key pairs): attribute templates, RAII guards for searches and
// short-lived objects, the pooled session, and the object search. Not part of the public interface.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include <p11-kit/pkcs11.h>

#include "core/bytes.hpp"
#include "offcard/keystore/pkcs11_keystore.hpp"
#include "offcard/keystore/pkcs11_module.hpp"

namespace sefleet::offcard {
namespace pkcs11_detail {

// Lengths for PKCS#11 (CK_ULONG is unsigned long; size_t is the same type here but need not be).
inline CK_ULONG ck_len(std::size_t size) {
  return size;
}

inline CK_BBOOL kTrue = CK_TRUE;
inline CK_BBOOL kFalse = CK_FALSE;

inline CK_ATTRIBUTE flag(CK_ATTRIBUTE_TYPE type, bool on) {
  return CK_ATTRIBUTE{type, on ? &kTrue : &kFalse, sizeof(CK_BBOOL)};
}

template <typename T>
inline CK_ATTRIBUTE value_of(CK_ATTRIBUTE_TYPE type, T& value) {
  return CK_ATTRIBUTE{type, &value, sizeof value};
}

inline CK_ATTRIBUTE bytes_of(CK_ATTRIBUTE_TYPE type, ByteView bytes) {
  // PKCS#11 templates are not const-qualified; the token only reads them.
  return CK_ATTRIBUTE{type, const_cast<std::uint8_t*>(bytes.data()), ck_len(bytes.size())};
}

// A non-null pointer for data that may be empty (some tokens refuse a null pointer with length 0).
inline unsigned char* data_pointer(ByteView data) {
  static unsigned char empty = 0;  // NOLINT: the token only reads it
  return data.empty() ? &empty : const_cast<unsigned char*>(data.data());
}

// A temporary object marker: a generated key carries it until its KCV is known, so a concurrent
// scan (another process) never lists a half-made key.
inline const Bytes kPendingId{'S', 'F', 'K', '-', 'p', 'e', 'n', 'd', 'i', 'n', 'g'};

inline std::int64_t now() {
  return std::int64_t{std::time(nullptr)};
}

inline std::string version_name(const std::string& label, std::uint32_t version) {
  return label + "@v" + std::to_string(version);
}

// Ends a C_FindObjects search on every path, so the session stays usable after an error.
class FindGuard {
 public:
  FindGuard(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE session) : p11_(p11), session_(session) {}
  ~FindGuard() { p11_->C_FindObjectsFinal(session_); }
  FindGuard(const FindGuard&) = delete;
  FindGuard& operator=(const FindGuard&) = delete;

 private:
  CK_FUNCTION_LIST_PTR p11_;
  CK_SESSION_HANDLE session_;
};

// Destroys a session object (the data of a wrap/unwrap) on every path.
class ObjectGuard {
 public:
  ObjectGuard(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object)
      : p11_(p11), session_(session), object_(object) {}
  ~ObjectGuard() {
    if (object_ != CK_INVALID_HANDLE) p11_->C_DestroyObject(session_, object_);
  }
  ObjectGuard(const ObjectGuard&) = delete;
  ObjectGuard& operator=(const ObjectGuard&) = delete;
  void release() noexcept { object_ = CK_INVALID_HANDLE; }

 private:
  CK_FUNCTION_LIST_PTR p11_;
  CK_SESSION_HANDLE session_;
  CK_OBJECT_HANDLE object_;
};

// Every object matching `search` (a complete C_FindObjects run).
inline std::vector<CK_OBJECT_HANDLE> find_objects(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE session,
                                                  CK_ATTRIBUTE* search, CK_ULONG count) {
  std::vector<CK_OBJECT_HANDLE> handles;
  check_ckr(p11->C_FindObjectsInit(session, search, count), "C_FindObjectsInit");
  FindGuard guard(p11, session);
  CK_OBJECT_HANDLE batch[64];
  CK_ULONG found = 0;
  do {
    check_ckr(p11->C_FindObjects(session, batch, 64, &found), "C_FindObjects");
    handles.insert(handles.end(), batch, batch + found);
  } while (found > 0);
  return handles;
}

}  // namespace pkcs11_detail

// A session borrowed from the pool for one operation and returned afterwards (a PKCS#11 session runs
// one operation at a time; several threads therefore need several sessions).
class Pkcs11Keystore::Session {
 public:
  explicit Session(Pkcs11Keystore& store) : store_(store), handle_(store.acquire_session()) {}
  ~Session() { store_.release_session(handle_); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  operator CK_SESSION_HANDLE() const noexcept { return handle_; }

 private:
  Pkcs11Keystore& store_;
  CK_SESSION_HANDLE handle_;
};

}  // namespace sefleet::offcard

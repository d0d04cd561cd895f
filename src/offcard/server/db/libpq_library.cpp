#include "offcard/server/db/libpq_library.hpp"

#include <dlfcn.h>

#include <string>

#include "core/error.hpp"

namespace sefleet::offcard::db {
namespace {

// libpq's soname has been libpq.so.5 since PostgreSQL 8.0 (Debian's libpq5 package).
constexpr const char* kLibrary = "libpq.so.5";

template <typename Function>
void resolve(void* handle, const char* name, Function& function) {
  function = reinterpret_cast<Function>(dlsym(handle, name));
  if (function == nullptr) {
    throw Error(Errc::unavailable, std::string("database (postgresql): ") + kLibrary + " has no function " + name);
  }
}

LibpqFunctions load() {
  // RTLD_NODELETE: libpq and its dependencies (GnuTLS, Kerberos) keep global state and may have
  // registered handlers; they stay mapped once loaded, as a linked library would.
  void* handle = dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (handle == nullptr) {
    const char* reason = dlerror();
    throw Error(Errc::unavailable, std::string("database (postgresql): cannot load ") + kLibrary +
                                       " (install libpq5): " + (reason != nullptr ? reason : "dlopen failed"));
  }
  LibpqFunctions f{};
  try {
    resolve(handle, "PQconnectdb", f.connectdb);
    resolve(handle, "PQstatus", f.status);
    resolve(handle, "PQfinish", f.finish);
    resolve(handle, "PQerrorMessage", f.error_message);
    resolve(handle, "PQsetNoticeProcessor", f.set_notice_processor);
    resolve(handle, "PQsetClientEncoding", f.set_client_encoding);
    resolve(handle, "PQexec", f.exec);
    resolve(handle, "PQprepare", f.prepare);
    resolve(handle, "PQexecPrepared", f.exec_prepared);
    resolve(handle, "PQresultStatus", f.result_status);
    resolve(handle, "PQresultErrorMessage", f.result_error_message);
    resolve(handle, "PQresultErrorField", f.result_error_field);
    resolve(handle, "PQclear", f.clear);
    resolve(handle, "PQntuples", f.ntuples);
    resolve(handle, "PQnfields", f.nfields);
    resolve(handle, "PQftype", f.ftype);
    resolve(handle, "PQgetisnull", f.getisnull);
    resolve(handle, "PQgetvalue", f.getvalue);
    resolve(handle, "PQgetlength", f.getlength);
    resolve(handle, "PQcmdTuples", f.cmd_tuples);
    resolve(handle, "PQdescribePrepared", f.describe_prepared);
    resolve(handle, "PQnparams", f.nparams);
  } catch (...) {
    dlclose(handle);
    throw;
  }
  return f;
}

}  // namespace

const LibpqFunctions& libpq() {
  // A static whose initialiser throws is initialised again by the next call ([stmt.dcl]).
  static const LibpqFunctions functions = load();
  return functions;
}

}  // namespace sefleet::offcard::db

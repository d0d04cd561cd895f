// libpq, loaded with dlopen the first time a PostgreSQL database is opened rather than linked.
//
// Only `sefleet server` with a postgresql:// database uses it, but a linked libpq is loaded (with
// Kerberos, LDAP, SASL, GnuTLS and p11-kit behind it, and GnuTLS's start-up initialisation) by every
// sefleet process: about 3.5 MiB more resident memory in an idle `sefleet card run`. The function
// types come from libpq-fe.h, so a call through this table is checked by the compiler as a direct
// call would be.
#pragma once

#include <libpq-fe.h>

namespace sefleet::offcard::db {

struct LibpqFunctions {
  decltype(&::PQconnectdb) connectdb;
  decltype(&::PQstatus) status;
  decltype(&::PQfinish) finish;
  decltype(&::PQerrorMessage) error_message;
  decltype(&::PQsetNoticeProcessor) set_notice_processor;
  decltype(&::PQsetClientEncoding) set_client_encoding;
  decltype(&::PQexec) exec;
  decltype(&::PQprepare) prepare;
  decltype(&::PQexecPrepared) exec_prepared;
  decltype(&::PQresultStatus) result_status;
  decltype(&::PQresultErrorMessage) result_error_message;
  decltype(&::PQresultErrorField) result_error_field;
  decltype(&::PQclear) clear;
  decltype(&::PQntuples) ntuples;
  decltype(&::PQnfields) nfields;
  decltype(&::PQftype) ftype;
  decltype(&::PQgetisnull) getisnull;
  decltype(&::PQgetvalue) getvalue;
  decltype(&::PQgetlength) getlength;
  decltype(&::PQcmdTuples) cmd_tuples;
  decltype(&::PQdescribePrepared) describe_prepared;
  decltype(&::PQnparams) nparams;
};

// Loads libpq on the first call (thread-safe) and returns its functions; the library stays loaded for
// the life of the process. Error(unavailable) naming the library when it or one of the functions
// cannot be loaded (the libpq5 package is not installed); the next call tries again.
const LibpqFunctions& libpq();

}  // namespace sefleet::offcard::db

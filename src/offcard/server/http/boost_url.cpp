// Boost.URL (request targets, request_reader.cpp) is used header-only: its sources are compiled here,
// once for the whole program, as Boost.URL documents for builds without the compiled library.
#include <boost/url/src.hpp>

// One connection of the management server (internal to server/http/): a session object reads requests
// with the RequestReader, checks route, token and body limit from the headers, reads the body, has the
// handler run (in place while another I/O thread stays free, on a worker otherwise), writes the answer
// and waits for the next request, every step under a deadline (http_limits.hpp). Pipelined requests are
// answered in order: the next one is read from the bytes left over once the previous answer is written.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "offcard/server/http/http_limits.hpp"
#include "offcard/server/http/router.hpp"

namespace sefleet::offcard::server::http {

class Connection {
 public:
  virtual ~Connection() = default;
  // From any thread: finish what was accepted (a request being handled is answered), then close;
  // a connection waiting for or reading a request closes at once.
  virtual void request_stop() = 0;
};

// The open connections, for the cap and for a graceful stop. Thread-safe.
class ConnectionRegistry {
 public:
  std::uint64_t add(const std::shared_ptr<Connection>& connection, bool refusal);
  void remove(std::uint64_t id);
  std::size_t serving() const;   // connections being served (the cap counts these)
  std::size_t refusing() const;  // connections beyond the cap being answered 503
  void request_stop_all();
  void wait_until_empty();

 private:
  struct Entry {
    std::weak_ptr<Connection> connection;
    bool refusal = false;
  };
  mutable std::mutex mutex_;
  std::condition_variable emptied_;
  std::unordered_map<std::uint64_t, Entry> entries_;
  std::uint64_t next_id_ = 1;
  std::size_t refusing_ = 0;
};

// How many I/O threads may run a request's token check and handler themselves at once: all but one,
// so that one I/O thread is always free to wait for every other connection (reads, writes, deadlines,
// accepts). A request handled in place costs no hand-off between threads: on two cores handing every
// request to a worker and back cost more CPU than the handler itself. Thread-safe.
class InlineBudget {
 public:
  explicit InlineBudget(std::size_t io_threads) : limit_(io_threads > 0 ? io_threads - 1 : 0) {}
  bool try_acquire() {
    std::size_t running = running_.load(std::memory_order_relaxed);
    while (running < limit_) {
      if (running_.compare_exchange_weak(running, running + 1, std::memory_order_acquire)) return true;
    }
    return false;
  }
  void release() { running_.fetch_sub(1, std::memory_order_release); }
  // Releases an acquired place when it goes out of scope.
  class Held {
   public:
    explicit Held(InlineBudget& budget) : budget_(budget) {}
    Held(const Held&) = delete;
    Held& operator=(const Held&) = delete;
    ~Held() { budget_.release(); }

   private:
    InlineBudget& budget_;
  };

 private:
  const std::size_t limit_;
  std::atomic<std::size_t> running_{0};
};

// What every session shares; owned by HttpServer and outliving all sessions.
struct ServerContext {
  const Router& router;
  HttpLimits limits;
  boost::asio::thread_pool& workers;  // database work the I/O threads do not take (InlineBudget)
  ConnectionRegistry& registry;
  InlineBudget& inline_budget;
};

// Starts serving an accepted connection (its socket's executor is the connection's strand).
// `over_capacity`: answer 503 and close instead.
void start_plain_session(ServerContext& server, boost::asio::ip::tcp::socket socket, bool over_capacity);
void start_tls_session(ServerContext& server, boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& tls,
                       bool over_capacity);

}  // namespace sefleet::offcard::server::http

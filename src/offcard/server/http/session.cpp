#include "offcard/server/http/session.hpp"

#include <any>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "offcard/server/http/error_response.hpp"
#include "offcard/server/http/request_reader.hpp"

namespace sefleet::offcard::server::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using boost::system::error_code;
using tcp = net::ip::tcp;

// After a final answer the connection is half-closed and what the client still sends is read and
// dropped for a moment, so that closing does not reset the connection before the client has read the
// answer (a refused upload is still arriving). Bounded in time and bytes.
constexpr std::chrono::milliseconds kLingerTime{2'000};
constexpr std::size_t kLingerBytes = 4 * 1024 * 1024;
// Bytes asked of the socket per read.
constexpr std::size_t kReadSize = 16 * 1024;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// What the token check on a worker came to.
struct Outcome {
  std::any principal;                    // granted: who sent the request
  std::optional<HttpResponse> response;  // a refusal, or the handler's answer when the worker ran it
  bool close = false;                    // close after sending `response`
};

template <typename Stream>
class Session final : public Connection, public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <typename... StreamArgs>
  Session(ServerContext& server, bool over_capacity, StreamArgs&&... stream_args)
      : server_(server),
        stream_(std::forward<StreamArgs>(stream_args)...),
        timer_(stream_.get_executor()),
        buffer_(server.limits.header_limit + 2 * kReadSize),
        reader_(server.limits.header_limit),
        over_capacity_(over_capacity) {}

  ~Session() override {
    if (id_ != 0) server_.registry.remove(id_);
  }

  void start() {
    id_ = server_.registry.add(this->shared_from_this(), over_capacity_);
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->begin(); });
  }

  void request_stop() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->stop_requested_ = true;
      switch (self->phase_) {
        case Phase::authenticating:
        case Phase::handling:
        case Phase::writing:
          break;  // answered, then closed (respond() sees stop_requested_)
        default:
          self->close_now();
      }
    });
  }

 private:
  enum class Phase { handshake, idle, head, authenticating, body, handling, writing, closing, closed };

  tcp::socket& socket() { return beast::get_lowest_layer(stream_); }

  // ---- deadlines: one timer, re-armed for each phase; a stale expiry is ignored.
  void arm(std::chrono::milliseconds timeout) {
    timer_.expires_after(timeout);
    timer_.async_wait([self = this->shared_from_this(), generation = ++timer_generation_](const error_code& ec) {
      if (!ec && generation == self->timer_generation_) self->on_deadline();
    });
  }
  void disarm() {
    ++timer_generation_;
    timer_.cancel();
  }
  void on_deadline() {
    switch (phase_) {
      case Phase::head:
      case Phase::body:
        // Part of a request is in: cancel the read, whose handler answers 408.
        timed_out_ = true;
        socket().cancel();
        break;
      case Phase::authenticating:
      case Phase::handling:
        break;  // no deadline while the server works
      default:
        close_now();
    }
  }

  void read_some(void (Session::*next)(const error_code&, std::size_t)) {
    const std::size_t room = buffer_.max_size() - buffer_.size();
    stream_.async_read_some(buffer_.prepare(std::min(kReadSize, room)),
                            [self = this->shared_from_this(), next](const error_code& ec, std::size_t n) {
                              self->buffer_.commit(n);
                              ((*self).*next)(ec, n);
                            });
  }
  std::string_view buffered() const { return {static_cast<const char*>(buffer_.data().data()), buffer_.data().size()}; }

  // ---- connection start
  void begin();
  void on_handshake(const error_code& ec);

  // ---- one request
  void wait_request();
  void on_idle_read(const error_code& ec, std::size_t n);
  void begin_head();
  void continue_head();
  void on_head_read(const error_code& ec, std::size_t n);
  void on_head();
  void on_access(std::any principal);
  void begin_body();
  void continue_body();
  void on_body_read(const error_code& ec, std::size_t n);
  void handle();

  // ---- the answer
  // On the strand: prepare `answer` and send it.
  void respond(HttpResponse answer, bool close);
  // On the strand or on a worker (the session has no operation pending while a worker job runs, so
  // the job alone uses its state): the token check, then, when `body_buffered`, the body and the handler.
  Outcome authenticate(bool body_buffered);
  void handle_buffered(Outcome& outcome);  // after the token check: the buffered body and the handler
  // Worker jobs.
  void finish_on_worker(HttpResponse answer, bool close);
  void prepare(HttpResponse answer, bool close);
  void write_now();
  // On the strand: send what write_now() left, then carry on.
  void send_prepared();
  void on_written(const error_code& ec);

  // ---- ending
  void linger_close();
  void on_drained(const error_code& ec, std::size_t n);
  void close_now();

  ServerContext& server_;
  Stream stream_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  RequestReader reader_;
  bool over_capacity_;
  std::uint64_t id_ = 0;

  Phase phase_ = Phase::handshake;
  std::uint64_t timer_generation_ = 0;
  bool first_request_ = true;
  bool stop_requested_ = false;
  bool timed_out_ = false;
  bool close_after_write_ = false;
  // The request being served, from its headers on.
  const Route* route_ = nullptr;
  std::vector<std::string> params_;
  std::any principal_;
  bool keep_alive_ = false;
  unsigned version_ = 11;
  std::optional<beast_http::response<beast_http::string_body>> response_;
  std::optional<beast_http::response_serializer<beast_http::string_body>> serializer_;  // of response_
  std::size_t drained_ = 0;
};

template <typename Stream>
void Session<Stream>::begin() {
  if (phase_ == Phase::closed) return;  // stopped before it started
  // The first request's headers are due within header_timeout of the connection's start, the TLS
  // handshake included.
  arm(server_.limits.header_timeout);
  if constexpr (std::is_same_v<Stream, tcp::socket>) {
    // Workers write answers straight to the socket (write_now); they must never block on it.
    error_code ignored;
    socket().non_blocking(true, ignored);
    on_handshake({});
  } else {
    phase_ = Phase::handshake;
    stream_.async_handshake(net::ssl::stream_base::server,
                            [self = this->shared_from_this()](const error_code& ec) { self->on_handshake(ec); });
  }
}

template <typename Stream>
void Session<Stream>::on_handshake(const error_code& ec) {
  if (ec || stop_requested_) return close_now();
  if (over_capacity_) {
    return respond(
        HttpResponse::error(
            503, "too_many_connections",
            "the server has " + std::to_string(server_.limits.max_connections) + " connections open; try again", 1),
        true);
  }
  wait_request();
}

template <typename Stream>
void Session<Stream>::wait_request() {
  phase_ = Phase::idle;
  if (stop_requested_) return close_now();
  if (buffer_.size() > 0) return begin_head();  // a pipelined request is already here
  if (!first_request_) arm(server_.limits.idle_timeout);
  read_some(&Session::on_idle_read);
}

template <typename Stream>
void Session<Stream>::on_idle_read(const error_code& ec, std::size_t) {
  if (phase_ == Phase::closed) return;
  if (ec) return close_now();  // the client left, the idle deadline passed, or the server stops
  begin_head();
}

template <typename Stream>
void Session<Stream>::begin_head() {
  phase_ = Phase::head;
  // The first request has been under the header deadline since the connection started.
  if (!first_request_) arm(server_.limits.header_timeout);
  continue_head();
}

template <typename Stream>
void Session<Stream>::continue_head() {
  const ReadStep step = reader_.read_head(buffered());
  switch (step.status) {
    case ReadStatus::refused:
      return respond(reader_.refusal(), true);
    case ReadStatus::need_more:
      return read_some(&Session::on_head_read);
    case ReadStatus::done:
      buffer_.consume(step.consumed);
      return on_head();
  }
}

template <typename Stream>
void Session<Stream>::on_head_read(const error_code& ec, std::size_t) {
  if (phase_ == Phase::closed) return;
  if (timed_out_) {
    return respond(HttpResponse::error(408, "request_timeout",
                                       "request headers not received within " +
                                           std::to_string(server_.limits.header_timeout.count()) + " ms"),
                   true);
  }
  if (ec) return close_now();
  continue_head();
}

template <typename Stream>
void Session<Stream>::on_head() {
  keep_alive_ = reader_.keep_alive();
  version_ = reader_.version();
  const bool body_announced = reader_.body_announced();
  Router::Selection selection = server_.router.select(reader_.head().method, reader_.head().path);
  if (!selection.route) return respond(std::move(*selection.refusal), body_announced);
  route_ = selection.route;
  params_ = std::move(selection.params);
  const std::size_t limit = route_->body_limit;
  if (reader_.content_length().value_or(0) > limit) {
    return respond(
        HttpResponse::error(413, "body_too_large",
                            "body of " + std::to_string(*reader_.content_length()) + " bytes above the limit of " +
                                std::to_string(limit) + " for " + route_->method + " " + reader_.head().path),
        true);
  }
  if (reader_.chunked() && limit == 0) {
    return respond(HttpResponse::error(413, "body_too_large", "this route takes no body"), true);
  }
  if (route_->access == Access::open) return on_access({});
  // The token check may need the database. When the whole body has already arrived (API requests
  // usually come in one piece), the same step then takes it and runs the handler. The token is still
  // checked before a body byte is read, and no deadline runs meanwhile.
  const bool body_buffered =
      !reader_.chunked() && !reader_.expects_continue() && reader_.content_length().value_or(0) <= buffer_.size();
  phase_ = Phase::authenticating;
  disarm();
  // A small request is served right here while another I/O thread stays free for every other
  // connection (InlineBudget); otherwise a worker does it, and while the job runs the connection has no
  // operation pending, so the job alone uses the reader and the buffer.
  if (body_buffered && server_.inline_budget.try_acquire()) {
    Outcome outcome;
    {
      const InlineBudget::Held held(server_.inline_budget);
      outcome = authenticate(body_buffered);
    }
    if (outcome.response) return respond(std::move(*outcome.response), outcome.close);
    return on_access(std::move(outcome.principal));
  }
  net::post(server_.workers, [self = this->shared_from_this(), body_buffered] {
    Outcome outcome = self->authenticate(body_buffered);
    if (outcome.response) return self->finish_on_worker(std::move(*outcome.response), outcome.close);
    net::post(self->stream_.get_executor(),
              [self, principal = std::move(outcome.principal)]() mutable { self->on_access(std::move(principal)); });
  });
}

template <typename Stream>
Outcome Session<Stream>::authenticate(bool body_buffered) {
  Outcome outcome;
  try {
    outcome.principal = server_.router.authenticate(*route_, reader_.head());
  } catch (...) {
    outcome.response = error_response_for(std::current_exception());
    outcome.close = reader_.body_announced();  // the body is not read after a refusal
  }
  if (!outcome.response && body_buffered) handle_buffered(outcome);
  return outcome;
}

template <typename Stream>
void Session<Stream>::handle_buffered(Outcome& outcome) {
  reader_.begin_body(route_->body_limit);
  const ReadStep step = reader_.read_body(buffered());
  buffer_.consume(step.consumed);
  if (step.status != ReadStatus::done) {
    // Not expected with the whole Content-Length buffered; refused like any unreadable body.
    outcome.response = step.status == ReadStatus::refused
                           ? reader_.refusal()
                           : HttpResponse::error(400, "bad_request", "incomplete request body");
    outcome.close = true;
    return;
  }
  HttpRequest request = reader_.take_request();
  request.params = std::move(params_);
  request.principal = std::move(outcome.principal);
  outcome.response = server_.router.run(*route_, request);
  outcome.close = !keep_alive_;
}

template <typename Stream>
void Session<Stream>::on_access(std::any principal) {
  if (phase_ == Phase::closed) return;
  if (stop_requested_) return close_now();
  principal_ = std::move(principal);
  if (reader_.body_announced() && reader_.expects_continue()) {
    phase_ = Phase::writing;
    arm(server_.limits.write_timeout);
    net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                     [self = this->shared_from_this()](const error_code& ec, std::size_t) {
                       if (self->phase_ == Phase::closed) return;
                       if (ec) return self->close_now();
                       self->begin_body();
                     });
    return;
  }
  begin_body();
}

template <typename Stream>
void Session<Stream>::begin_body() {
  if (stop_requested_) return close_now();  // not read yet: nothing was accepted
  phase_ = Phase::body;
  reader_.begin_body(route_->body_limit);
  if (reader_.body_announced()) arm(server_.limits.body_timeout);
  continue_body();
}

template <typename Stream>
void Session<Stream>::continue_body() {
  const ReadStep step = reader_.read_body(buffered());
  buffer_.consume(step.consumed);
  switch (step.status) {
    case ReadStatus::refused:
      return respond(reader_.refusal(), true);
    case ReadStatus::need_more:
      // Body bytes are consumed as they come; only an endless chunk header line can fill the buffer.
      if (buffer_.size() == buffer_.max_size()) {
        return respond(HttpResponse::error(400, "bad_request", "chunk header line too long"), true);
      }
      return read_some(&Session::on_body_read);
    case ReadStatus::done:
      return handle();
  }
}

template <typename Stream>
void Session<Stream>::on_body_read(const error_code& ec, std::size_t) {
  if (phase_ == Phase::closed) return;
  if (timed_out_) {
    return respond(HttpResponse::error(408, "request_timeout",
                                       "request body not received within " +
                                           std::to_string(server_.limits.body_timeout.count()) + " ms"),
                   true);
  }
  if (ec) return close_now();
  continue_body();
}

template <typename Stream>
void Session<Stream>::handle() {
  phase_ = Phase::handling;
  disarm();
  HttpRequest request = reader_.take_request();
  request.params = std::move(params_);
  request.principal = std::move(principal_);
  if (route_->quick) return respond(server_.router.run(*route_, request), !keep_alive_);
  net::post(server_.workers, [self = this->shared_from_this(), request = std::move(request)] {
    self->finish_on_worker(self->server_.router.run(*self->route_, request), !self->keep_alive_);
  });
}

template <typename Stream>
void Session<Stream>::respond(HttpResponse answer, bool close) {
  prepare(std::move(answer), close);
  send_prepared();
}

template <typename Stream>
void Session<Stream>::finish_on_worker(HttpResponse answer, bool close) {
  prepare(std::move(answer), close);
  // Plain TCP: the worker sends the answer itself, as far as the socket takes it at once (all of it,
  // usually), so the client does not wait for an I/O thread to be scheduled; the connection's own thread
  // then sends any rest and reads the next request. TLS answers all go through the connection's thread.
  if constexpr (std::is_same_v<Stream, tcp::socket>) write_now();
  net::post(stream_.get_executor(), [self = this->shared_from_this()] {
    if (self->phase_ != Phase::closed) self->send_prepared();
  });
}

template <typename Stream>
void Session<Stream>::prepare(HttpResponse answer, bool close) {
  close_after_write_ = close;
  auto& response = response_.emplace();
  response.version(version_);
  response.result(static_cast<unsigned>(answer.status));
  if (!answer.content_type.empty()) response.set(beast_http::field::content_type, answer.content_type);
  for (auto& [name, value] : answer.headers) response.insert(name, value);
  response.body() = std::move(answer.body);
  response.keep_alive(!close);
  response.prepare_payload();
  serializer_.emplace(response);
}

template <typename Stream>
void Session<Stream>::write_now() {
  error_code ec;
  while (!ec && !serializer_->is_done()) {
    serializer_->next(ec, [this](error_code& write_error, const auto& buffers) {
      serializer_->consume(socket().write_some(buffers, write_error));
    });
  }
  // would_block (the socket's buffer is full) or a failure: send_prepared() goes on asynchronously
  // and meets the failure again if there is one.
}

template <typename Stream>
void Session<Stream>::send_prepared() {
  phase_ = Phase::writing;
  // A stop requested meanwhile: this answer is the last (an answer already sent may have said
  // keep-alive; closing after a complete answer is allowed).
  close_after_write_ = close_after_write_ || stop_requested_;
  if (serializer_->is_done()) return on_written({});
  arm(server_.limits.write_timeout);
  beast_http::async_write(stream_, *serializer_, [self = this->shared_from_this()](const error_code& ec, std::size_t) {
    self->on_written(ec);
  });
}

template <typename Stream>
void Session<Stream>::on_written(const error_code& ec) {
  serializer_.reset();
  response_.reset();
  if (phase_ == Phase::closed) return;
  if (ec) return close_now();
  if (close_after_write_) return linger_close();
  first_request_ = false;
  route_ = nullptr;
  reader_.reset();  // also after a refusal from the headers alone (no body announced)
  wait_request();
}

template <typename Stream>
void Session<Stream>::linger_close() {
  phase_ = Phase::closing;
  if (stop_requested_) return close_now();
  error_code ignored;
  socket().shutdown(tcp::socket::shutdown_send, ignored);
  arm(kLingerTime);
  buffer_.clear();
  // Read below TLS: these bytes are dropped unread.
  socket().async_read_some(
      buffer_.prepare(kReadSize),
      [self = this->shared_from_this()](const error_code& e, std::size_t n) { self->on_drained(e, n); });
}

template <typename Stream>
void Session<Stream>::on_drained(const error_code& ec, std::size_t n) {
  if (phase_ == Phase::closed) return;
  drained_ += n;
  if (ec || drained_ >= kLingerBytes) return close_now();
  socket().async_read_some(
      buffer_.prepare(kReadSize),
      [self = this->shared_from_this()](const error_code& e, std::size_t k) { self->on_drained(e, k); });
}

template <typename Stream>
void Session<Stream>::close_now() {
  if (phase_ == Phase::closed) return;
  phase_ = Phase::closed;
  disarm();
  error_code ignored;
  socket().shutdown(tcp::socket::shutdown_both, ignored);
  socket().close(ignored);
}

}  // namespace

std::uint64_t ConnectionRegistry::add(const std::shared_ptr<Connection>& connection, bool refusal) {
  std::lock_guard lock(mutex_);
  const std::uint64_t id = next_id_++;
  entries_.emplace(id, Entry{connection, refusal});
  if (refusal) ++refusing_;
  return id;
}

void ConnectionRegistry::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  if (it->second.refusal) --refusing_;
  entries_.erase(it);
  if (entries_.empty()) emptied_.notify_all();
}

std::size_t ConnectionRegistry::serving() const {
  std::lock_guard lock(mutex_);
  return entries_.size() - refusing_;
}

std::size_t ConnectionRegistry::refusing() const {
  std::lock_guard lock(mutex_);
  return refusing_;
}

void ConnectionRegistry::request_stop_all() {
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, entry] : entries_) {
      if (auto connection = entry.connection.lock()) open.push_back(std::move(connection));
    }
  }
  for (auto& connection : open) connection->request_stop();
}

void ConnectionRegistry::wait_until_empty() {
  std::unique_lock lock(mutex_);
  emptied_.wait(lock, [this] { return entries_.empty(); });
}

void start_plain_session(ServerContext& server, tcp::socket socket, bool over_capacity) {
  std::make_shared<Session<tcp::socket>>(server, over_capacity, std::move(socket))->start();
}

void start_tls_session(ServerContext& server, tcp::socket socket, net::ssl::context& tls, bool over_capacity) {
  std::make_shared<Session<net::ssl::stream<tcp::socket>>>(server, over_capacity, std::move(socket), tls)->start();
}

}  // namespace sefleet::offcard::server::http

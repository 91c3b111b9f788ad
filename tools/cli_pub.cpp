// mqttws pub: connect, publish one message (-m, -f, -s, -n) or one per stdin line (-l), wait
// for every acknowledgement (QoS 1/2), disconnect.
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>

#include "cli_commands.hpp"
#include "mqttws/error.hpp"
#include "cli_runner.hpp"

namespace mqttws::cli {
namespace {

namespace asio = boost::asio;

bool read_file(const std::string& path, std::string& out, std::string& why) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    why = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    why = "cannot read " + path;
    return false;
  }
  return true;
}

class publisher {
 public:
  publisher(const parsed_args& args, runner& r)
      : pub_(args.pub), run_(r), session_(r, "pub"), client_(session_.get()) {
    props_ = packet_properties(args.conn, "publish", user_storage_);
  }

  void start() {
    session_.connect([this] {
      if (pub_.from == pub_args::source::stdin_lines) {
        start_lines();
      } else {
        publish(single_);
        input_done_ = true;
      }
    });
  }

  // What a single-message publish sends; read before connecting so a bad file fails fast.
  bool prepare(std::string& why) {
    switch (pub_.from) {
      case pub_args::source::message: single_ = pub_.message; return true;
      case pub_args::source::null_message: single_.clear(); return true;
      case pub_args::source::file: return read_file(pub_.file, single_, why);
      case pub_args::source::stdin_whole: return read_file("/dev/stdin", single_, why);
      case pub_args::source::stdin_lines: return true;
    }
    return true;
  }

 private:
  static constexpr std::size_t window = 256;  // unacknowledged publishes while reading lines

  void publish(const std::string& payload) {
    if (run_.finishing()) return;
    mqttws::publish p;
    p.topic = pub_.topic;
    p.payload = payload;
    p.qos = pub_.q;
    p.retain = pub_.retain;
    p.props = props_;
    ++outstanding_;
    client_.async_publish(p, [this](std::error_code ec, const publish_result& r) {
      --outstanding_;
      if (ec) {
        const std::optional<reason_code> code =
            r.code != reason_code::success ? std::optional<reason_code>(r.code) : std::nullopt;
        const std::string why = "publish failed: " + failure_text(ec, code, r.reason_string);
        // One line the broker refused (an ACL, a quota) does not stop the lines after it;
        // anything else (the session ended) does, as does the refusal of a single message.
        if (pub_.from != pub_args::source::stdin_lines || ec != errc::operation_failed) {
          return run_.finish(exit_failure, why);
        }
        std::cerr << "mqttws: " << why << std::endl;
      }
      if (input_done_ && outstanding_ == 0) return run_.finish(exit_ok);
      drain();
    });
  }

  // -l: a pipe or terminal is read asynchronously; a regular file (which epoll refuses, and
  // which never blocks) with plain read().
  void start_lines() {
    const int fd = ::dup(STDIN_FILENO);
    struct stat st {};
    if (fd >= 0 && ::fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
      stdin_.emplace(run_.io());
      boost::system::error_code ec;
      stdin_->assign(fd, ec);
      if (ec) {
        stdin_.reset();  // e.g. /dev/null: epoll does not take it
        ::close(fd);
      }
    } else if (fd >= 0) {
      ::close(fd);
    }
    drain();
  }

  // Reads stdin only while there are no complete lines left to publish.
  void read_more() {
    if (pub_.from != pub_args::source::stdin_lines || reading_ || eof_ || run_.finishing()) {
      return;
    }
    reading_ = true;
    if (stdin_) {
      stdin_->async_read_some(asio::buffer(buf_),
                              [this](const boost::system::error_code& ec, std::size_t n) {
                                reading_ = false;
                                on_data(n, ec && ec != asio::error::eof ? ec.message() : "",
                                        ec == asio::error::eof);
                              });
      return;
    }
    ssize_t n = 0;
    do {
      n = ::read(STDIN_FILENO, buf_.data(), buf_.size());
    } while (n < 0 && errno == EINTR);
    const std::string err = n < 0 ? std::strerror(errno) : "";
    // Posted, so a long file does not recurse through publish completions.
    asio::post(run_.io(), [this, n, err] {
      reading_ = false;
      on_data(n > 0 ? static_cast<std::size_t>(n) : 0, err, n == 0);
    });
  }

  void on_data(std::size_t n, const std::string& error, bool eof) {
    if (run_.finishing()) return;
    if (!error.empty()) return run_.finish(exit_failure, "reading stdin: " + error);
    pending_.append(buf_.data(), n);
    eof_ = eof;
    drain();
  }

  // Publishes the complete lines read so far, at most `window` unacknowledged at a time (a
  // completion calls drain() again); then reads more, or ends the input.
  void drain() {
    if (pub_.from != pub_args::source::stdin_lines || run_.finishing()) return;
    while (outstanding_ < window) {
      const std::size_t nl = pending_.find('\n', pos_);
      if (nl == std::string::npos) break;
      publish(pending_.substr(pos_, nl - pos_));
      pos_ = nl + 1;
    }
    if (pos_ == pending_.size() || pos_ > buf_.size()) {
      pending_.erase(0, pos_);
      pos_ = 0;
    }
    if (outstanding_ >= window || input_done_) return;
    if (!eof_) return read_more();
    if (pos_ < pending_.size()) publish(pending_.substr(pos_));  // a last line without newline
    pending_.clear();
    pos_ = 0;
    input_done_ = true;
    if (outstanding_ == 0) run_.finish(exit_ok);
  }

  const pub_args& pub_;
  runner& run_;
  // Reconnecting, what was published and not yet acknowledged is sent again (with -c the
  // broker's session survives too), so no line read from stdin is lost at QoS >= 1.
  reconnecting_client session_;
  client& client_;
  std::vector<user_property> user_storage_;
  properties props_;
  std::string single_;
  bool input_done_ = false;
  bool reading_ = false;
  bool eof_ = false;
  std::size_t pos_ = 0;  // first unpublished byte of pending_
  std::size_t outstanding_ = 0;
  std::optional<asio::posix::stream_descriptor> stdin_;
  std::array<char, 16384> buf_{};
  std::string pending_;
};

}  // namespace

int run_pub(const parsed_args& args) {
  if (!usable(reconnecting_client_options(args.conn, "pub"))) return exit_usage;
  runner r(args.conn);
  publisher p(args, r);
  std::string why;
  if (!p.prepare(why)) {
    std::cerr << "mqttws: " << why << std::endl;
    return exit_failure;
  }
  r.start_deadline();
  p.start();
  return r.run();
}

}  // namespace mqttws::cli

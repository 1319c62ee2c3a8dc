// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The exec sender: the channel's program with the message's fields in its environment
// (FAIL_RECORD, FAIL_STATE, ...; FAIL_SUBJECT) and the body on its stdin, through
// base/spawn (no shell, its own process group, killed at the timeout).
#include <algorithm>
#include <cctype>
#include <map>

#include "base/spawn.hh"
#include "notify/senders_kinds.hh"

namespace fail::notify {
namespace {

constexpr size_t kMaxOutput = 64 << 10;  // kept of what it writes, for the error message
// Linux refuses an exec whose one environment string passes 128 KiB (MAX_ARG_STRLEN):
// a long field (the body) is cut well below; the whole body is on stdin anyway.
constexpr size_t kMaxEnvValue = 32 << 10;

// FAIL_<NAME>=VALUE; a name made of letters, digits and '_' only (the templates' field
// names are), a value without NUL (the environment cannot carry one).
std::string envEntry(const std::string& name, const std::string& value) {
  std::string e = "FAIL_";
  for (char c : name) e += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(c)) : '_';
  e += '=';
  e += value.substr(0, std::min(value.find('\0'), kMaxEnvValue));
  return e;
}

// The last non-empty line of what it wrote: usually why it failed.
std::string lastLine(const std::string& out) {
  size_t end = out.find_last_not_of("\r\n \t");
  if (end == std::string::npos) return "";
  size_t start = out.find_last_of('\n', end);
  return out.substr(start == std::string::npos ? 0 : start + 1, end + 1 - (start == std::string::npos ? 0 : start + 1));
}

class ExecSender final : public Sender {
 public:
  ExecSender(const ExecSpec& spec, std::chrono::milliseconds timeout, ev::Loop& loop)
      : spec_(spec), timeout_(timeout), loop_(loop) {}

  // One at a time: a script that pages someone should not run twenty times at once.
  size_t parallel() const override { return 1; }

  void send(const Message& m, std::function<void(Outcome)> done) override {
    spawn::Options o;
    o.argv = spec_.argv;
    for (const auto& [name, value] : m.fields) o.env.push_back(envEntry(name, value));
    if (!m.fields.count("subject")) o.env.push_back(envEntry("subject", m.subject));
    o.input = m.body;
    o.timeout = timeout_;
    o.maxOutput = kMaxOutput;
    o.overflow = spawn::Options::Overflow::Drop;
    o.mergeStderr = true;
    std::uint64_t id = next_++;
    auto started = std::chrono::steady_clock::now();
    // spawn::Child calls back from the loop, never from its constructor; erasing the
    // Child from its own callback is allowed.
    children_[id] = std::make_unique<spawn::Child>(
        loop_.base(), std::move(o), [this, id, started, done = std::move(done)](spawn::Result r) mutable {
          auto keep = std::move(done);
          children_.erase(id);
          keep(judge(r, std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)));
        });
  }

 private:
  Outcome judge(const spawn::Result& r, std::chrono::milliseconds took) const {
    Outcome o;
    o.took = took;
    o.end = r.ok() ? Outcome::End::Sent : Outcome::End::Retry;
    o.detail = detail::detailText(spec_.argv.empty() ? "(no program)" : spec_.argv[0], 100) + " " + r.describe();
    std::string said = detail::detailText(lastLine(r.out), 200);
    if (!r.ok() && !said.empty()) o.detail += ": " + said;
    return o;
  }

  ExecSpec spec_;
  std::chrono::milliseconds timeout_;
  ev::Loop& loop_;
  std::map<std::uint64_t, std::unique_ptr<spawn::Child>> children_;  // destroyed: killed
  std::uint64_t next_ = 1;
};

}  // namespace

namespace detail {

std::unique_ptr<Sender> makeExecSender(const ExecSpec& spec, std::chrono::milliseconds timeout, ev::Loop& loop) {
  return std::make_unique<ExecSender>(spec, timeout, loop);
}

}  // namespace detail
}  // namespace fail::notify

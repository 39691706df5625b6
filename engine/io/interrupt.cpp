#include "io/interrupt.hpp"

#include <limits.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

namespace gt::io {
namespace {

// A slot is free (0), being filled (1) or live (2); the handler touches live slots only.
struct TempSlot {
  std::atomic<int> state{0};
  char path[PATH_MAX];
};

constexpr int kTempSlots = 64, kChildSlots = 8;
TempSlot g_temps[kTempSlots];
std::atomic<pid_t> g_children[kChildSlots];
std::atomic<int> g_signal{0};
std::atomic<bool> g_polling{false};

static_assert(std::atomic<int>::is_always_lock_free && std::atomic<pid_t>::is_always_lock_free &&
                  std::atomic<bool>::is_always_lock_free,
              "the signal handler needs lock-free atomics");

void say(const char* text) {
  const ssize_t ignored = write(STDERR_FILENO, text, std::strlen(text));
  (void)ignored;
}

// Async-signal-safe: kill and reap the children first, so none writes a file after it is gone.
void clean_up() {
  for (std::atomic<pid_t>& c : g_children) {
    const pid_t pid = c.load();
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
  for (TempSlot& t : g_temps)
    if (t.state.load(std::memory_order_acquire) == 2) unlink(t.path);
}

extern "C" void on_signal(int sig) {
  if (sig == SIGPIPE) {
    clean_up();
    signal(SIGPIPE, SIG_DFL);  // async-signal-safe; the raised signal ends us on return
    raise(SIGPIPE);
    return;
  }
  int none = 0;
  if (g_polling.load() && g_signal.compare_exchange_strong(none, sig)) return;
  clean_up();
  say("gradtower: interrupted; temporary files removed\n");
  _exit(interrupt_exit_code(sig));
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART;  // the libraries under us (Vulkan, stdio) need no EINTR handling
  sigemptyset(&sa.sa_mask);
  for (const int s : {SIGINT, SIGTERM, SIGHUP, SIGPIPE})
    sigaddset(&sa.sa_mask, s);
  for (const int s : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old {};
    // A signal ignored by the parent (nohup, a background job without job control) stays so.
    if (sigaction(s, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    sigaction(s, &sa, nullptr);
  }
  struct sigaction old {};
  if (sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL)
    sigaction(SIGPIPE, &sa, nullptr);
}

void poll_interrupts() {
  g_polling.store(true);
}

int interrupt_signal() {
  return g_signal.load();
}

std::string signal_name(int signal) {
  switch (signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "signal " + std::to_string(signal);
  }
}

void throw_if_interrupted() {
  if (const int s = interrupt_signal()) throw Interrupted(s);
}

int register_temp_file(const std::string& path) {
  if (path.size() >= PATH_MAX) throw std::runtime_error(path + ": path too long");
  for (int i = 0; i < kTempSlots; ++i) {
    int free_slot = 0;
    if (!g_temps[i].state.compare_exchange_strong(free_slot, 1)) continue;
    std::memcpy(g_temps[i].path, path.c_str(), path.size() + 1);
    g_temps[i].state.store(2, std::memory_order_release);
    return i;
  }
  throw std::runtime_error("more than 64 temporary files open at once");
}

void unregister_temp_file(int slot) {
  if (slot >= 0 && slot < kTempSlots) g_temps[slot].state.store(0);
}

int register_child(pid_t pid) {
  for (int i = 0; i < kChildSlots; ++i) {
    pid_t none = 0;
    if (g_children[i].compare_exchange_strong(none, pid)) return i;
  }
  throw std::runtime_error("more than 8 child processes at once");
}

void unregister_child(int slot) {
  if (slot >= 0 && slot < kChildSlots) g_children[slot].store(0);
}

}  // namespace gt::io

// SIGINT, SIGTERM and SIGHUP without temporary files left behind.
//
// The handler is async-signal-safe: it reads atomics and a fixed table, and calls only unlink,
// kill, waitpid and _exit. Before poll_interrupts() a signal removes every registered temporary
// file, kills the registered child processes (ffmpeg) and exits with 128 + the signal. After it,
// the first signal only sets a flag that the program polls between steps or frames
// (interrupt_signal(), throw_if_interrupted()) to finish cleanly; a second one does the above.
// SIGPIPE also removes the registered files, then ends the process as SIGPIPE always did.
#pragma once

#include <sys/types.h>

#include <stdexcept>
#include <string>

namespace gt::io {

// Installs the handlers; once, at the start of main().
void install_interrupt_handlers();
// From now on the first signal only sets the flag.
void poll_interrupts();
// The signal received since poll_interrupts(), or 0.
int interrupt_signal();
// "SIGINT", "SIGTERM", "SIGHUP", or "signal N".
std::string signal_name(int signal);
// 128 + the signal: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP.
inline int interrupt_exit_code(int signal) {
  return 128 + signal;
}

// "interrupted by SIGINT", then "; " and `detail` (what was kept, what not) when given.
struct Interrupted : std::runtime_error {
  explicit Interrupted(int sig, const std::string& detail = {})
      : std::runtime_error("interrupted by " + signal_name(sig) +
                           (detail.empty() ? std::string() : "; " + detail)),
        signal(sig) {}
  int signal;
};
// Throws Interrupted when a signal arrived since poll_interrupts().
void throw_if_interrupted();

// What the handler cleans up. Each returns a slot for the matching unregister; registering
// after all slots are taken throws std::runtime_error.
int register_temp_file(const std::string& path);
void unregister_temp_file(int slot);
int register_child(pid_t pid);
void unregister_child(int slot);

}  // namespace gt::io

// gradtower: train deep networks in Vulkan compute shaders and watch their gradients.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>

#include "cli.hpp"
#include "io/interrupt.hpp"
#include "scene/scene.hpp"

namespace {

// What a command printed must have reached stdout: `gradtower schema > /dev/full` fails. A
// large buffer for a file or pipe keeps the output (and so its first error, with the reason)
// for the final fflush; a terminal stays line-buffered.
char g_stdout_buffer[1 << 20];

int check_stdout(int code) {
  errno = 0;
  bool failed = std::fflush(stdout) != 0;
  int err = errno;
  failed = failed || std::ferror(stdout);
  if (std::fclose(stdout) != 0 && !failed) {
    failed = true;
    err = errno;
  }
  if (!failed) return code;
  std::fprintf(stderr, "gradtower: cannot write the standard output: %s\n",
               err ? std::strerror(err) : "write error");
  return code == 0 ? 1 : code;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace gt::cli;
  gt::io::install_interrupt_handlers();  // no temporary file outlives a Ctrl-C
  if (!isatty(STDOUT_FILENO)) std::setvbuf(stdout, g_stdout_buffer, _IOFBF, sizeof g_stdout_buffer);
  CLI::App app{"gradtower: deep networks trained in Vulkan compute, gradients made visible"};
  app.require_subcommand(1);

  DeviceFlags info_flags;
  CLI::App* info = app.add_subcommand("info", "List Vulkan devices, the chosen one and its limits");
  add_device_flags(info, info_flags);

  TrainArgs train;
  add_train(app, train);
  RenderArgs render;
  add_render(app, render);
  RecordArgs record;
  add_record(app, record);
  BenchArgs bench;
  add_bench(app, bench);
  LiveArgs live;
  add_live(app, live);
  TheoryArgs theory;
  add_theory(app, theory);
  WhyArgs why;
  add_why(app, why);

  CLI::App* schema = app.add_subcommand("schema", "Print the scene file schema");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints the message (or the help, exit 0); a malformed command line is bad input: 1.
    return check_stdout(app.exit(e)) == 0 ? 0 : 1;
  }
  const auto command = [&]() -> int {
    try {
      if (*info) return run_info(info_flags);
      if (app.got_subcommand("train")) return run_train(train);
      if (app.got_subcommand("bench")) return run_bench(bench);
      if (app.got_subcommand("render")) return run_render(render);
      if (app.got_subcommand("record")) return run_record(record);
      if (app.got_subcommand("live")) return run_live(live);
      if (app.got_subcommand("theory")) return run_theory(theory);
      if (app.got_subcommand("why")) return run_why(why);
      if (*schema) {
        std::printf("%s", gt::scene::describe_schema().c_str());
        return 0;
      }
    } catch (const gt::io::Interrupted& e) {
      std::fprintf(stderr, "gradtower: %s\n", e.what());
      return gt::io::interrupt_exit_code(e.signal);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "gradtower: %s\n", e.what());
      return 1;
    }
    return 1;
  };
  return check_stdout(command());
}

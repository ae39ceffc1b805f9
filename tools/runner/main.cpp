// `runner`: run, validate and draw task groups; serve as a mesh node; manage the task cache.
#include <CLI/CLI.hpp>

#include <malloc.h>

#include <cstdio>

#include "drivers/reactor.hpp"
#include "net/transport.hpp"
#include "schema/document_file.hpp"
#include "tools/runner/commands.hpp"
#include "tools/runner/logging.hpp"

int main(int argc, char** argv) {
  // Before any thread exists, so every thread inherits the mask and only the
  // reactor ever sees SIGCHLD, SIGINT, SIGTERM and SIGHUP.
  runner::reactor::block_signals();
  runner::keep_openssl_until_exit();
  // One malloc arena for all threads: actor threads allocate little, and
  // per-thread arenas cost a 10,000-task run about a megabyte of RSS.
  mallopt(M_ARENA_MAX, 1);

  CLI::App app{"runner — executes task groups: named tasks with dependencies that pass "
               "variables to each other"};
  app.require_subcommand(1);
  std::string log_format = "text", log_level = "warn";
  app.add_option("--log-format", log_format, "the runner's own log on stderr: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off");
  uint64_t max_document = runner::kDefaultMaxDocumentBytes;
  app.add_option("--max-document-size", max_document,
                 "the largest task group or config read, e.g. 256MiB (default 64MiB)")
      ->transform(CLI::AsSizeValue(false));

  runner::run_options run;
  auto* run_cmd = app.add_subcommand("run", "execute a task group");
  run_cmd->add_option("file", run.file, "task group YAML or JSON")->required();
  run_cmd->add_option("--output", run.output, "text (human) or json (the result on stdout)")
      ->check(CLI::IsMember({"text", "json"}));
  run_cmd->add_option("--result-file", run.result_file, "also write the result JSON here");
  run_cmd->add_option("--max-parallel", run.max_parallel,
                      "process-backed tasks at once (default: CPU cores)")
      ->check(CLI::PositiveNumber);
  run_cmd->add_option("--grace", run.grace,
                      "time a stopped task gets between SIGTERM and SIGKILL (default 10s)");
  run_cmd->add_option("--max-output-value", run.limits.value_bytes,
                      "largest single output value (default 1MiB)")
      ->transform(CLI::AsSizeValue(true));
  run_cmd->add_option("--max-outputs", run.limits.total_bytes,
                      "largest total of a task's outputs (default 16MiB)")
      ->transform(CLI::AsSizeValue(true));
  run_cmd->add_option("--max-log-line", run.limits.line_bytes,
                      "longer log lines are split (default 64KiB)")
      ->transform(CLI::AsSizeValue(true))
      ->check(CLI::Range(size_t{16}, size_t{1} << 30));

  run_cmd->add_option("--config", run.config,
                      "runner config (name, tls, peers) for forwarding work to other runners");
  run_cmd->add_option("--to", run.to,
                      "run the whole group on this runner: a peer name or host:port");

  runner::serve_options serve;
  auto* serve_cmd = app.add_subcommand("serve", "run as a mesh node: accept work from peers");
  serve_cmd->add_option("--config", serve.config, "runner config (SPEC.md §8)")->required();
  serve_cmd->add_option("--grace", serve.grace,
                        "time a stopped task gets between SIGTERM and SIGKILL (default 10s)");

  std::string check_file, check_config;
  auto* validate_cmd = app.add_subcommand("validate", "check a task group; exit 2 on problems");
  validate_cmd->add_option("file", check_file, "task group YAML or JSON")->required();
  validate_cmd->add_option("--config", check_config,
                           "runner config whose external drivers' task types count as known");

  std::string graph_file, graph_format = "dot";
  auto* graph_cmd = app.add_subcommand("graph", "print the task DAG");
  graph_cmd->add_option("file", graph_file, "task group YAML or JSON")->required();
  graph_cmd->add_option("--format", graph_format, "dot or mermaid")
      ->check(CLI::IsMember({"dot", "mermaid"}));

  runner::cache_options cache;
  auto* cache_cmd = app.add_subcommand("cache", "the task cache: list, clear or prune its entries");
  cache_cmd->require_subcommand(1);
  auto cache_action = [&](const char* name, const char* what) {
    auto* sub = cache_cmd->add_subcommand(name, what);
    auto* config =
        sub->add_option("--config", cache.config, "the cache of this node config's state_dir");
    sub->add_option("--state-dir", cache.state_dir,
                    "the cache in this directory (default $XDG_STATE_HOME/runner)")
        ->excludes(config);
    sub->callback([&cache, name] { cache.action = name; });
    return sub;
  };
  cache_action("list", "show keys, tasks, ages and expiry (never values)")
      ->add_option("--output", cache.output, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  cache_action("clear", "remove every entry, or the entries named")
      ->add_option("key", cache.keys, "keys as `runner cache list` shows them");
  cache_action("prune", "remove expired entries");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : runner::exit_invalid_input;
  }
  serve.log_level_given = app.count("--log-level") + app.count("--log-format") > 0;
  runner::set_max_document_bytes(static_cast<size_t>(max_document));
  if (auto err = runner::setup_logging(log_format, log_level); !err.empty()) {
    std::fprintf(stderr, "runner: %s\n", err.c_str());
    return runner::exit_invalid_input;
  }
  try {
    if (*run_cmd)
      return runner::run_command(run);
    if (*serve_cmd)
      return runner::serve_command(serve);
    if (*validate_cmd)
      return runner::validate_command(check_file, check_config);
    if (*cache_cmd)
      return runner::cache_command(cache);
    return runner::graph_command(graph_file, graph_format);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "runner: internal error: %s\n", e.what());
    return runner::exit_infrastructure;
  }
}

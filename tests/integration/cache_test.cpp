// The task cache through the real binary (SPEC.md §7, docs/cache.md): hits do
// not run, importers get cached outputs, failures are not kept, keys follow
// imports, expired entries run again, confidential values are sealed at rest,
// damaged files give a warning or an error and never a wrong value, several
// runners share one state directory, and `runner cache` shows no values.
// A task forwarded on its own is cached by the runner that forwards it. Every
// test has its own state directory (XDG_STATE_HOME, or a config's state_dir);
// nothing sleeps to wait for another process.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>

#include "mesh_harness.hpp"

namespace runner::test {

namespace {

struct group_run {
  run_output raw;
  nlohmann::json result;
};

class Cache : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* old = std::getenv("XDG_STATE_HOME");
    if (old)
      saved_ = old;
    had_ = old != nullptr;
    setenv("XDG_STATE_HOME", tmp.path().c_str(), 1);
  }
  void TearDown() override {
    if (had_)
      setenv("XDG_STATE_HOME", saved_.c_str(), 1);
    else
      unsetenv("XDG_STATE_HOME");
  }

  std::string state_dir() const { return tmp.file("runner"); }
  std::string db() const { return tmp.file("runner/cache.db"); }

  group_run run(const std::string& yaml, const std::string& name = "group.yaml") {
    auto file = tmp.write(name, yaml);
    group_run g;
    g.raw = run_runner({"run", file, "--output", "json"});
    EXPECT_FALSE(g.raw.timed_out);
    g.result = parse_json(g.raw.out);
    return g;
  }
  run_output cache(std::vector<std::string> args) {
    args.insert(args.begin(), "cache");
    return run_runner(args);
  }
  // How often a task's command ran: it appends a line to this file.
  size_t runs(const std::string& counter) const {
    std::string text = read_file(tmp.file(counter));
    return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  }

  temp_dir tmp;

 private:
  std::string saved_;
  bool had_ = false;
};

bool cached(const group_run& g, const std::string& task) {
  return g.result["results"][task]["cached"] == true;
}

// `fetch` (cached) exports a plain and a confidential value; `use` imports both
// and writes what it got to got.txt.
std::string fetch_and_use(const temp_dir& tmp, const std::string& key = "fetch-v1",
                          const std::string& ttl = "") {
  return R"(id: cache-test
taskGroup:
  - name: fetch
    type: os_exec
    cache: {key: ")" + key + "\"" + (ttl.empty() ? "" : ", ttl: " + ttl) + R"(}
    spec:
      command: |
        echo ran >> )" + tmp.file("fetch.count") + R"(
        echo "plain=hello-plain" >> "$OUTPUT_FILE"
        echo "token=tok-S3CR3T-value" >> "$OUTPUT_FILE"
    exports:
      - {name: plain, scope: global}
      - {name: token, confidential: true, scope: global}
  - name: use
    type: os_exec
    imports: [{from: fetch, variable: plain}, {from: fetch, variable: token}]
    spec:
      command: echo "{{ .fetch.plain }} {{ .fetch.token }}" > )" + tmp.file("got.txt") + R"(
)";
}

}  // namespace

TEST_F(Cache, AHitOverThisRunsOutputLimitsRunsTheTaskInstead) {
  // Stored under the default limits, then looked up by a run with smaller
  // ones: the cache must not hand out what the task itself may not produce.
  std::string yaml = "taskGroup:\n  - name: big\n    type: os_exec\n    cache: {key: big-1}\n"
                     "    spec:\n      command: |\n        echo ran >> " +
                     tmp.file("big.count") +
                     "\n        printf 'v=%02000d\\n' 0 >> \"$OUTPUT_FILE\"\n"
                     "    exports: [{name: v}]\n";
  auto file = tmp.write("big.yaml", yaml);
  auto first = run_runner({"run", file, "--output", "json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto smaller = run_runner({"run", file, "--output", "json", "--max-output-value", "1KiB"});
  EXPECT_EQ(runs("big.count"), 2u) << smaller.err;
  auto j = parse_json(smaller.out);
  EXPECT_EQ(j["results"]["big"]["cached"], false) << smaller.out;
  EXPECT_EQ(j["results"]["big"]["status"], "failed") << smaller.out;  // as it would uncached
  EXPECT_NE(smaller.err.find("larger than this run's limits"), std::string::npos) << smaller.err;
}

TEST_F(Cache, TheLookingTasksOwnTtlCountsNotOnlyTheStoredOne) {
  auto yaml = [&](const std::string& ttl) {
    return "taskGroup:\n  - name: t\n    type: os_exec\n    cache: {key: ttl-k" + ttl +
           "}\n    spec:\n      command: echo ran >> " + tmp.file("t.count") + "\n";
  };
  ASSERT_EQ(run(yaml("")).raw.exit_code, 0);  // stored to keep forever
  // A run that wants it fresher than a millisecond (the entry is older by a
  // whole runner start) does not take it.
  auto strict = run(yaml(", ttl: 1ms"));
  ASSERT_EQ(strict.raw.exit_code, 0) << strict.raw.err;
  EXPECT_FALSE(cached(strict, "t"));
  EXPECT_EQ(runs("t.count"), 2u);
}

TEST_F(Cache, AnExportThatBecameConfidentialIsNotServedFromAPlainEntry) {
  auto yaml = [&](bool confidential) {
    return std::string("taskGroup:\n  - name: t\n    type: os_exec\n    cache: {key: up-1}\n"
                       "    spec:\n      command: |\n        echo ran >> ") +
           tmp.file("t.count") + "\n        echo pw=HUNTER2PASS >> $OUTPUT_FILE\n" +
           "    exports: [{name: pw" + (confidential ? ", confidential: true" : "") +
           ", scope: global}]\n";
  };
  ASSERT_EQ(run(yaml(false)).raw.exit_code, 0);
  auto upgraded = run(yaml(true));
  ASSERT_EQ(upgraded.raw.exit_code, 0) << upgraded.raw.err;
  EXPECT_FALSE(cached(upgraded, "t")) << "the plain entry must be replaced by a sealed one";
  EXPECT_EQ(upgraded.result["results"]["t"]["outputs"]["pw"], "***");
  auto again = run(yaml(true));
  EXPECT_TRUE(cached(again, "t"));
  EXPECT_EQ(runs("t.count"), 2u);
  // The plain copy is gone from the database file once it is checkpointed.
  auto list = cache({"list"});  // opens and closes the store: SQLite checkpoints the WAL
  std::string bytes = read_file(db());
  EXPECT_EQ(bytes.find("HUNTER2PASS"), std::string::npos);
}

TEST_F(Cache, SecondRunIsAHitThatDoesNotRunAndFeedsImporters) {
  auto first = run(fetch_and_use(tmp));
  ASSERT_EQ(first.raw.exit_code, 0) << first.raw.err;
  EXPECT_FALSE(cached(first, "fetch"));
  EXPECT_EQ(runs("fetch.count"), 1u);
  std::filesystem::remove(tmp.file("got.txt"));

  auto second = run(fetch_and_use(tmp));
  ASSERT_EQ(second.raw.exit_code, 0) << second.raw.err;
  EXPECT_TRUE(cached(second, "fetch")) << second.raw.out;
  EXPECT_EQ(second.result["results"]["fetch"]["status"], "success");
  EXPECT_EQ(runs("fetch.count"), 1u) << "the command must not run again";
  EXPECT_EQ(second.result["results"]["fetch"]["outputs"]["plain"], "hello-plain");
  EXPECT_EQ(second.result["results"]["fetch"]["outputs"]["token"], "***");
  EXPECT_FALSE(cached(second, "use"));
  EXPECT_EQ(read_file(tmp.file("got.txt")), "hello-plain tok-S3CR3T-value\n")
      << "importers get cached values, confidential ones too";
  EXPECT_EQ(second.raw.err.find("tok-S3CR3T-value"), std::string::npos) << second.raw.err;

  // The human view says so too.
  auto text = run_runner({"run", tmp.file("group.yaml")});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("[fetch] ✓ success (cached, "), std::string::npos) << text.out;
}

TEST_F(Cache, FailedRunsAreNotStored) {
  std::string yaml = R"(taskGroup:
  - name: flaky
    type: os_exec
    cache: {key: flaky-v1}
    spec:
      command: echo ran >> )" + tmp.file("flaky.count") + R"(; echo "v=1" >> "$OUTPUT_FILE"; exit 3
    exports: [{name: v}]
)";
  EXPECT_EQ(run(yaml).raw.exit_code, 1);
  auto again = run(yaml);
  EXPECT_EQ(again.raw.exit_code, 1);
  EXPECT_FALSE(cached(again, "flaky"));
  EXPECT_EQ(runs("flaky.count"), 2u);
  auto listed = cache({"list", "--output", "json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_TRUE(parse_json(listed.out)["entries"].empty()) << listed.out;
}

TEST_F(Cache, TheKeyFollowsImportedValues) {
  auto group = [&](const std::string& version) {
    return R"(taskGroup:
  - name: src
    type: os_exec
    spec: {command: 'echo "version=)" + version + R"(" >> "$OUTPUT_FILE"'}
    exports: [{name: version}]
  - name: build
    type: os_exec
    imports: [{from: src, variable: version}]
    cache: {key: "build-{{ .src.version }}"}
    spec: {command: 'echo ran >> )" + tmp.file("build.count") + R"('}
)";
  };
  EXPECT_FALSE(cached(run(group("1.0")), "build"));
  EXPECT_TRUE(cached(run(group("1.0")), "build"));
  EXPECT_FALSE(cached(run(group("2.0")), "build")) << "a new import value is a new key";
  EXPECT_TRUE(cached(run(group("2.0")), "build"));
  EXPECT_EQ(runs("build.count"), 2u);
  auto listed = parse_json(cache({"list", "--output", "json"}).out);
  std::set<std::string> keys;
  for (auto& e : listed["entries"])
    keys.insert(e["key"].get<std::string>());
  EXPECT_EQ(keys, (std::set<std::string>{"build-1.0", "build-2.0"}));
}

// The run outlasts its ttl (the ttl counts from the run's start), so the
// entry is stored already expired: the next run misses, and prune removes it.
TEST_F(Cache, AnExpiredEntryRunsAgainAndIsPruned) {
  std::string yaml = R"(taskGroup:
  - name: slow
    type: os_exec
    cache: {key: slow-v1, ttl: 1ms}
    spec: {command: 'echo ran >> )" + tmp.file("slow.count") + R"(; sleep 0.05'}
  - name: keep
    type: os_exec
    cache: {key: keep-v1, ttl: 1h}
    spec: {command: 'true'}
)";
  ASSERT_EQ(run(yaml).raw.exit_code, 0);
  auto second = run(yaml);
  ASSERT_EQ(second.raw.exit_code, 0) << second.raw.err;
  EXPECT_FALSE(cached(second, "slow"));
  EXPECT_TRUE(cached(second, "keep"));
  EXPECT_EQ(runs("slow.count"), 2u);

  auto listed = cache({"list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("expired"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("1 expired"), std::string::npos) << listed.out;
  auto pruned = cache({"prune"});
  ASSERT_EQ(pruned.exit_code, 0) << pruned.err;
  EXPECT_NE(pruned.out.find("removed 1 expired entry"), std::string::npos) << pruned.out;
  auto after = parse_json(cache({"list", "--output", "json"}).out);
  ASSERT_EQ(after["entries"].size(), 1u) << after.dump();
  EXPECT_EQ(after["entries"][0]["key"], "keep-v1");
}

TEST_F(Cache, ConfidentialValuesAreSealedAtRestUnderAPrivateKeyFile) {
  // The key holds the secret too: it must be filed without it.
  std::string yaml = R"(taskGroup:
  - name: login
    type: os_exec
    spec: {command: 'echo "token=tok-S3CR3T-login" >> "$OUTPUT_FILE"'}
    exports: [{name: token, confidential: true}]
  - name: fetch
    type: os_exec
    imports: [{from: login, variable: token}]
    cache: {key: "fetch-{{ .login.token }}"}
    spec:
      command: |
        echo "data=tok-S3CR3T-data" >> "$OUTPUT_FILE"
        echo "copy={{ .login.token }}" >> "$OUTPUT_FILE"
    exports: [{name: data, confidential: true}, {name: copy}]
)";
  ASSERT_EQ(run(yaml).raw.exit_code, 0);
  auto second = run(yaml);
  ASSERT_EQ(second.raw.exit_code, 0) << second.raw.err;
  EXPECT_TRUE(cached(second, "fetch"));

  std::string bytes = read_file(db()) + read_file(db() + "-wal") + read_file(db() + "-shm");
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.find("S3CR3T"), std::string::npos) << "a secret in the database in plain text";
  EXPECT_NE(bytes.find("fetch-***"), std::string::npos) << "the key is filed masked";

  struct stat st {};
  ASSERT_EQ(::stat(tmp.file("runner/cache.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(::stat(db().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u);
  ASSERT_EQ(::stat(state_dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);

  for (auto* format : {"text", "json"}) {
    auto listed = cache({"list", "--output", format});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_NE(listed.out.find("fetch-***"), std::string::npos) << listed.out;
    EXPECT_EQ(listed.out.find("S3CR3T"), std::string::npos) << listed.out;
  }
}

TEST_F(Cache, ListShowsKeysTasksAgesAndExpiryButNeverValues) {
  ASSERT_EQ(run(fetch_and_use(tmp, "fetch-v1", "2h")).raw.exit_code, 0);
  auto text = cache({"list"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  for (auto* word : {"KEY", "TASK", "GROUP", "AGE", "EXPIRES", "fetch-v1", "fetch", "cache-test",
                     "in 1h59m"})
    EXPECT_NE(text.out.find(word), std::string::npos) << word << " in\n" << text.out;
  EXPECT_EQ(text.out.find("hello-plain"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("S3CR3T"), std::string::npos) << text.out;

  auto json = cache({"list", "--output", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto j = parse_json(json.out);
  ASSERT_EQ(j["entries"].size(), 1u) << json.out;
  auto& e = j["entries"][0];
  EXPECT_EQ(e["key"], "fetch-v1");
  EXPECT_EQ(e["task"], "fetch");
  EXPECT_EQ(e["group"], "cache-test");
  EXPECT_EQ(e["outputs"], 2);
  EXPECT_EQ(e["expired"], false);
  EXPECT_TRUE(e["created_at"].is_string());
  EXPECT_TRUE(e["expires_at"].is_string());
  EXPECT_EQ(json.out.find("hello-plain"), std::string::npos) << json.out;

  // --config's state_dir and --state-dir name the same cache.
  auto cfg = tmp.write("runner.yaml", "name: node-a\ntls: off\nstate_dir: " + state_dir() + "\n");
  auto by_config = cache({"list", "--config", cfg, "--output", "json"});
  ASSERT_EQ(by_config.exit_code, 0) << by_config.err;
  EXPECT_EQ(parse_json(by_config.out)["entries"].size(), 1u) << by_config.out;
  auto by_dir = cache({"list", "--state-dir", state_dir(), "--output", "json"});
  EXPECT_EQ(parse_json(by_dir.out)["entries"].size(), 1u) << by_dir.out;
}

TEST_F(Cache, ClearTakesKeysOrEverything) {
  ASSERT_EQ(run(fetch_and_use(tmp, "one")).raw.exit_code, 0);
  ASSERT_EQ(run(fetch_and_use(tmp, "two")).raw.exit_code, 0);
  ASSERT_EQ(run(fetch_and_use(tmp, "three")).raw.exit_code, 0);

  auto one = cache({"clear", "one"});
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.out.find("removed `one`"), std::string::npos) << one.out;
  auto missing = cache({"clear", "nope"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no entry `nope`"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("runner cache list"), std::string::npos) << missing.err;
  EXPECT_EQ(parse_json(cache({"list", "--output", "json"}).out)["entries"].size(), 2u);

  auto all = cache({"clear"});
  EXPECT_EQ(all.exit_code, 0) << all.err;
  EXPECT_NE(all.out.find("removed 2 entries"), std::string::npos) << all.out;
  EXPECT_FALSE(cached(run(fetch_and_use(tmp, "two")), "fetch"));
}

TEST_F(Cache, LookingAtAStateDirWithoutACacheMakesNone) {
  auto listed = cache({"list"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("no entries"), std::string::npos) << listed.out;
  EXPECT_EQ(cache({"prune"}).exit_code, 0);
  EXPECT_EQ(cache({"clear"}).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(db()));
  // Nor does a run whose tasks do not cache.
  ASSERT_EQ(run("taskGroup:\n  - {name: a, type: os_exec, spec: {command: 'true'}}\n")
                .raw.exit_code,
            0);
  EXPECT_FALSE(std::filesystem::exists(state_dir()));
}

TEST_F(Cache, AGarbageDatabaseIsAWarningForRunsAndAnErrorForTheCacheCommand) {
  std::filesystem::create_directories(state_dir());
  std::ofstream(db(), std::ios::binary) << std::string(8192, 'x');
  auto g = run(fetch_and_use(tmp));
  ASSERT_EQ(g.raw.exit_code, 0) << g.raw.err;
  EXPECT_FALSE(cached(g, "fetch"));
  EXPECT_EQ(runs("fetch.count"), 1u);
  EXPECT_NE(g.raw.err.find(db()), std::string::npos) << g.raw.err;
  EXPECT_NE(g.raw.err.find("remove it"), std::string::npos) << g.raw.err;
  // One warning for a run, not one per task.
  auto three = run(R"(taskGroup:
  - {name: a, type: os_exec, cache: {key: a}, spec: {command: 'true'}}
  - {name: b, type: os_exec, cache: {key: b}, spec: {command: 'true'}}
  - {name: c, type: os_exec, cache: {key: c}, spec: {command: 'true'}}
)");
  ASSERT_EQ(three.raw.exit_code, 0) << three.raw.err;
  auto warned = three.raw.err.find("the task cache cannot be used");
  ASSERT_NE(warned, std::string::npos) << three.raw.err;
  EXPECT_EQ(three.raw.err.find("the task cache cannot be used", warned + 1), std::string::npos)
      << three.raw.err;

  auto listed = cache({"list"});
  EXPECT_EQ(listed.exit_code, 3);
  EXPECT_NE(listed.err.find(db()), std::string::npos) << listed.err;
  EXPECT_NE(listed.err.find("remove it and its -wal and -shm files"), std::string::npos)
      << listed.err;
}

// Whatever a cut leaves of the file, a run either misses (and runs) or hits
// with the value that was stored: never another value, never a crash.
TEST_F(Cache, ATruncatedDatabaseNeverGivesAWrongValue) {
  ASSERT_EQ(run(fetch_and_use(tmp)).raw.exit_code, 0);
  auto size = std::filesystem::file_size(db());
  ASSERT_GT(size, 0u);
  for (auto cut : {size / 2, size - 100, uintmax_t{100}}) {
    std::filesystem::resize_file(db(), cut);
    std::filesystem::remove(tmp.file("got.txt"));
    auto g = run(fetch_and_use(tmp));
    EXPECT_EQ(g.raw.exit_code, 0) << "cut at " << cut << ":\n" << g.raw.err;
    EXPECT_EQ(g.result["results"]["fetch"]["outputs"]["plain"], "hello-plain") << g.raw.out;
    EXPECT_EQ(read_file(tmp.file("got.txt")), "hello-plain tok-S3CR3T-value\n");
    // Start the next cut from a sound file.
    std::filesystem::remove(db());
    std::filesystem::remove(db() + "-wal");
    std::filesystem::remove(db() + "-shm");
    ASSERT_EQ(run(fetch_and_use(tmp)).raw.exit_code, 0);
  }
}

TEST_F(Cache, ADamagedKeyFileIsAMissWithAWarningSayingWhatToDo) {
  ASSERT_EQ(run(fetch_and_use(tmp)).raw.exit_code, 0);
  std::string key = tmp.file("runner/cache.key");
  std::filesystem::resize_file(key, 7);
  auto g = run(fetch_and_use(tmp));
  ASSERT_EQ(g.raw.exit_code, 0) << g.raw.err;
  EXPECT_FALSE(cached(g, "fetch"));
  EXPECT_EQ(runs("fetch.count"), 2u);
  EXPECT_EQ(read_file(tmp.file("got.txt")), "hello-plain tok-S3CR3T-value\n");
  EXPECT_NE(g.raw.err.find(key), std::string::npos) << g.raw.err;
  EXPECT_NE(g.raw.err.find("runner cache clear"), std::string::npos) << g.raw.err;

  // A key file others may read is refused, with the fix.
  std::filesystem::remove(key);
  ASSERT_EQ(run(fetch_and_use(tmp)).raw.exit_code, 0);  // a new key; the entry replaced
  ::chmod(key.c_str(), 0644);
  g = run(fetch_and_use(tmp));
  ASSERT_EQ(g.raw.exit_code, 0) << g.raw.err;
  EXPECT_FALSE(cached(g, "fetch"));
  EXPECT_NE(g.raw.err.find("chmod 600 " + key), std::string::npos) << g.raw.err;

  // `runner cache list` needs no key: it shows no values.
  EXPECT_EQ(cache({"list"}).exit_code, 0);
}

TEST_F(Cache, SeveralRunnersShareOneStateDirectoryAtOnce) {
  // Each run caches ten tasks; runs share half their keys, so they race on
  // the same entries as well as on creating the database and the key file.
  auto group = [&](int run_no) {
    std::string yaml = "taskGroup:\n";
    for (int t = 0; t < 10; ++t) {
      std::string key = t % 2 ? "shared-" + std::to_string(t) : "own-" + std::to_string(run_no) +
                                                                      "-" + std::to_string(t);
      yaml += "  - name: t" + std::to_string(t) + "\n    type: os_exec\n    cache: {key: " + key +
              "}\n    spec: {command: 'echo \"v=" + key +
              "\" >> \"$OUTPUT_FILE\"; echo \"s=secret-" + key +
              "\" >> \"$OUTPUT_FILE\"'}\n    exports: [{name: v, scope: global}, {name: s, "
              "confidential: true}]\n";
    }
    return tmp.write("group" + std::to_string(run_no) + ".yaml", yaml);
  };
  constexpr int n = 4;
  std::vector<std::unique_ptr<process>> runners;
  for (int i = 0; i < n; ++i)
    runners.push_back(std::make_unique<process>(
        std::vector<std::string>{runner_binary(), "run", group(i), "--output", "json"}));
  for (int i = 0; i < n; ++i) {
    auto out = runners[i]->wait();
    EXPECT_EQ(out.exit_code, 0) << "runner " << i << ":\n" << out.err;
    EXPECT_EQ(out.err.find("cannot"), std::string::npos) << out.err;
  }
  // Everything is in: every task of every group is a hit, with its own value.
  for (int i = 0; i < n; ++i) {
    auto again = run_runner({"run", tmp.file("group" + std::to_string(i) + ".yaml"), "--output",
                             "json"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    auto j = parse_json(again.out);
    for (int t = 0; t < 10; ++t) {
      auto& r = j["results"]["t" + std::to_string(t)];
      EXPECT_EQ(r["cached"], true) << "group " << i << " task " << t;
      std::string key = t % 2 ? "shared-" + std::to_string(t) : "own-" + std::to_string(i) + "-" +
                                                                   std::to_string(t);
      EXPECT_EQ(r["outputs"]["v"], key);
    }
  }
  auto listed = parse_json(cache({"list", "--output", "json"}).out);
  EXPECT_EQ(listed["entries"].size(), static_cast<size_t>(5 + 5 * n));
}

TEST_F(Cache, ATaskForwardedOnItsOwnIsCachedByTheRunnerThatForwardsIt) {
  mesh_dir m;
  node_process b(m.config("node-b", "accept:\n  - {from: \"*\", task_types: [os_exec]}\n"));
  ASSERT_TRUE(b.started()) << b.output();
  std::string state = tmp.file("state-a");
  auto a = m.config("node-a", "peers: {node-b: " + b.address() + "}\nstate_dir: " + state + "\n",
                    false);
  auto group = tmp.write("fwd.yaml", R"(taskGroup:
  - name: remote
    type: os_exec
    forward: {to: node-b}
    cache: {key: remote-v1}
    spec:
      command: |
        echo ran >> )" + tmp.file("remote.count") + R"(
        echo "token=tok-S3CR3T-remote" >> "$OUTPUT_FILE"
    exports: [{name: token, confidential: true}]
  - name: here
    type: os_exec
    imports: [{from: remote, variable: token}]
    spec: {command: 'echo "{{ .remote.token }}" > )" + tmp.file("got.txt") + R"('}
)");
  auto first = run_runner({"run", group, "--config", a, "--output", "json"});
  ASSERT_EQ(first.exit_code, 0) << first.err << b.output();
  EXPECT_EQ(parse_json(first.out)["results"]["remote"]["runner"], "node-b");
  std::filesystem::remove(tmp.file("got.txt"));

  auto second = run_runner({"run", group, "--config", a, "--output", "json"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  auto j = parse_json(second.out);
  EXPECT_EQ(j["results"]["remote"]["cached"], true) << second.out;
  EXPECT_EQ(j["results"]["remote"]["runner"], "node-a") << "served from node-a's cache";
  EXPECT_EQ(runs("remote.count"), 1u) << "a hit is not forwarded";
  EXPECT_EQ(read_file(tmp.file("got.txt")), "tok-S3CR3T-remote\n");
  std::string bytes = read_file(state + "/cache.db") + read_file(state + "/cache.db-wal");
  ASSERT_FALSE(bytes.empty()) << "the cache is in the config's state_dir";
  EXPECT_EQ(bytes.find("S3CR3T"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(db())) << "not in the default state directory";
}

}  // namespace runner::test

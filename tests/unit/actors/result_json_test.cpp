// The result JSON of SPEC.md §5, streamed task by task.
#include <gtest/gtest.h>

#include <sstream>

#include "actors/result_json.hpp"

namespace runner {
namespace {

group_report sample() {
  group_report g;
  g.id = "build-42";
  g.status = task_status::failed;
  task_report fetch;
  fetch.name = "fetch";
  fetch.run_id = "id-1";
  fetch.status = task_status::success;
  fetch.runner = "node-a";
  fetch.started_at_ms = 1'700'000'000'123;
  fetch.duration_ms = 12;
  fetch.attempts = 1;
  fetch.has_exit_code = true;
  fetch.exports = {{"token", "s3cret", true, true},
                   {"plain", "visible", false, true},
                   {"local_only", "hidden", false, false}};
  task_report use;
  use.name = "use";
  use.run_id = "id-2";
  use.status = task_status::failed;
  use.error = "exit status 3";
  use.has_exit_code = true;
  use.exit_code = 3;
  use.attempts = 2;
  use.started_at_ms = 1'700'000'000'200;
  use.exports = {{"bad", "\xff\xfe", false, true}};
  g.results = {fetch, use};
  return g;
}

TEST(ResultJson, MatchesTheSpecShape) {
  std::ostringstream out;
  write_result_json(out, sample());
  auto j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j["id"], "build-42");
  EXPECT_EQ(j["status"], "failed");
  auto& fetch = j["results"]["fetch"];
  EXPECT_EQ(fetch["name"], "fetch");
  EXPECT_EQ(fetch["id"], "id-1");
  EXPECT_EQ(fetch["status"], "success");
  EXPECT_EQ(fetch["runner"], "node-a");
  EXPECT_EQ(fetch["cached"], false);
  EXPECT_EQ(fetch["started_at"], "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(fetch["duration_ms"], 12);
  EXPECT_EQ(fetch["exit_code"], 0);
  EXPECT_FALSE(fetch.contains("error"));
  EXPECT_FALSE(fetch.contains("attempts"));
  // Global exports only, confidential ones masked.
  EXPECT_EQ(fetch["outputs"], (nlohmann::json{{"token", "***"}, {"plain", "visible"}}));
  auto& use = j["results"]["use"];
  EXPECT_EQ(use["error"], "exit status 3");
  EXPECT_EQ(use["exit_code"], 3);
  EXPECT_EQ(use["attempts"], 2);
  EXPECT_EQ(use["outputs"]["bad"], "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(out.str().find("s3cret"), std::string::npos);
}

TEST(ResultJson, IndentedForPeople) {
  std::ostringstream out;
  write_result_json(out, sample());
  EXPECT_EQ(out.str().rfind("{\n  \"id\": \"build-42\",\n  \"status\": \"failed\",\n  \"results\": {\n"
                            "    \"fetch\": {\n      \"cached\": false,\n", 0),
            0u)
      << out.str();
}

TEST(ResultJson, EmptyGroup) {
  group_report g;
  g.id = "empty";
  std::ostringstream out;
  write_result_json(out, g);
  auto j = nlohmann::json::parse(out.str());
  EXPECT_TRUE(j["results"].empty());
  EXPECT_EQ(j["status"], "success");
}

}  // namespace
}  // namespace runner

// A 1,000-task group: layered, every task importing from the layer before.
#include <gtest/gtest.h>

#include "harness.hpp"

namespace runner::test {

TEST(Scale, ThousandTaskGroup) {
  temp_dir tmp;
  const int width = 10, layers = 100;
  std::string yaml = "id: thousand\ntaskGroup:\n";
  for (int l = 0; l < layers; ++l)
    for (int w = 0; w < width; ++w) {
      std::string name = "t" + std::to_string(l) + "_" + std::to_string(w);
      yaml += "  - name: " + name + "\n    type: os_exec\n";
      if (l == 0) {
        yaml += "    spec: {command: \"echo n=1 >> $OUTPUT_FILE\"}\n";
      } else {
        std::string a = "t" + std::to_string(l - 1) + "_" + std::to_string(w);
        std::string b = "t" + std::to_string(l - 1) + "_" + std::to_string((w + 1) % width);
        yaml += "    imports: [{from: " + a + ", variable: n}]\n    depends_on: [" + b + "]\n";
        yaml += "    spec: {command: \"echo n=$(({{ ." + a + ".n }} + 1)) >> $OUTPUT_FILE\"}\n";
      }
      yaml += "    exports: [{name: n, scope: global}]\n";
    }
  auto file = tmp.write("g.yaml", yaml);
  auto r = run_runner({"run", file, "--output", "json", "--max-parallel", "4"},
                      std::chrono::seconds(240));
  ASSERT_FALSE(r.timed_out);
  ASSERT_EQ(r.exit_code, 0) << r.err.substr(0, 2000);
  auto j = parse_json(r.out);
  ASSERT_EQ(j["results"].size(), 1000u);
  for (auto& [name, t] : j["results"].items())
    ASSERT_EQ(t["status"], "success") << name;
  EXPECT_EQ(j["results"]["t99_3"]["outputs"]["n"], "100");
}

}  // namespace runner::test

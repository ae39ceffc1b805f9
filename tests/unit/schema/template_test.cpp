#include "schema/template.hpp"

#include <gtest/gtest.h>

namespace runner {
namespace {

TEST(Template, TextWithoutTemplatesIsUntouched) {
  template_scan s = scan_templates("echo hello } { }} done");
  EXPECT_TRUE(s.refs.empty());
  EXPECT_TRUE(s.errors.empty());
  EXPECT_EQ(render_templates("echo hello } { }} done", [](auto&, auto&) { return "X"; }),
            "echo hello } { }} done");
}

TEST(Template, FindsReferencesWithAndWithoutSpaces) {
  std::string text = "a={{ .foo.password }} b={{.bar.tok_en-2}} c={{  ._x.y  }}";
  template_scan s = scan_templates(text);
  ASSERT_EQ(s.errors.size(), 1u);  // `_x` is not a task name
  ASSERT_EQ(s.refs.size(), 2u);
  EXPECT_EQ(s.refs[0].task, "foo");
  EXPECT_EQ(s.refs[0].variable, "password");
  EXPECT_EQ(s.refs[0].begin, 2u);
  EXPECT_EQ(s.refs[0].end, 21u);
  EXPECT_EQ(s.refs[1].task, "bar");
  EXPECT_EQ(s.refs[1].variable, "tok_en-2");
}

TEST(Template, VariableMayStartWithUnderscore) {
  template_scan s = scan_templates("{{ .a._v }}");
  ASSERT_EQ(s.refs.size(), 1u);
  EXPECT_EQ(s.refs[0].variable, "_v");
}

TEST(Template, Unterminated) {
  std::string text = "echo '{{ .foo.password )}'";
  template_scan s = scan_templates(text);
  ASSERT_EQ(s.errors.size(), 1u);
  EXPECT_EQ(s.errors[0].offset, 6u);
  EXPECT_EQ(s.errors[0].message, "unterminated template");
  EXPECT_EQ(s.errors[0].hint, "close it with `}}`: {{ .task.variable }}");
  EXPECT_TRUE(s.refs.empty());
}

TEST(Template, UnterminatedAfterAGoodOne) {
  template_scan s = scan_templates("{{ .a.b }} and {{ .c.d");
  ASSERT_EQ(s.refs.size(), 1u);
  ASSERT_EQ(s.errors.size(), 1u);
  EXPECT_EQ(s.errors[0].offset, 15u);
}

TEST(Template, Malformed) {
  for (const char* bad : {"{{ foo.password }}", "{{ .foo }}", "{{ .foo.bar.baz }}", "{{}}",
                          "{{ .1foo.x }}", "{{ .foo.pass word }}", "{{ .foo..x }}"}) {
    template_scan s = scan_templates(std::string("x ") + bad);
    ASSERT_EQ(s.errors.size(), 1u) << bad;
    EXPECT_EQ(s.errors[0].offset, 2u) << bad;
    EXPECT_EQ(s.errors[0].message, std::string("malformed template `") + bad + "`");
    EXPECT_NE(s.errors[0].hint.find("`{{ .task.variable }}`"), std::string::npos);
    EXPECT_TRUE(s.refs.empty());
  }
  EXPECT_NE(scan_templates("{{ foo.password }}").errors[0].hint.find(
                "did you mean `{{ .foo.password }}`?"),
            std::string::npos);
}

TEST(Template, ErrorsAndRefsTogether) {
  template_scan s = scan_templates("{{ x }} {{ .a.b }} {{ y }} {{ .c.d }}");
  EXPECT_EQ(s.refs.size(), 2u);
  EXPECT_EQ(s.errors.size(), 2u);
}

TEST(Template, Render) {
  auto lookup = [](const std::string& task, const std::string& var) {
    return "<" + task + ":" + var + ">";
  };
  EXPECT_EQ(render_templates("a {{ .foo.password }} b {{.x.y}}", lookup),
            "a <foo:password> b <x:y>");
  EXPECT_EQ(render_templates("{{ .a.b }}{{ .a.b }}", lookup), "<a:b><a:b>");
  EXPECT_EQ(render_templates("", lookup), "");
  // The value is not scanned again: a value holding "{{" stays as it is.
  EXPECT_EQ(render_templates("{{ .a.b }}", [](auto&, auto&) { return "{{ .c.d }}"; }),
            "{{ .c.d }}");
}

}  // namespace
}  // namespace runner

TEST(Template, GitHubExpressionsAreNotTemplates) {
  auto scan = runner::scan_templates("hi ${{ inputs.who }} and {{ .a.b }} and ${{ steps.x.outputs.y }}");
  ASSERT_TRUE(scan.errors.empty());
  ASSERT_EQ(scan.refs.size(), 1u);
  EXPECT_EQ(scan.refs[0].task, "a");
  auto out = runner::render_templates("${{ github.sha }}-{{ .a.b }}",
                              [](const std::string&, const std::string&) { return "v"; });
  EXPECT_EQ(out, "${{ github.sha }}-v");
}

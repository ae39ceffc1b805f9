#include "drivers/github_action/workflow_commands.hpp"

#include <gtest/gtest.h>

namespace runner::gh {
namespace {

using lines = std::vector<std::string>;

const std::string kSetOutputDeprecated = deprecated_command_message("set-output");
const std::string kSaveStateDeprecated = deprecated_command_message("save-state");

TEST(GhWorkflowCommands, GitHubTexts) {
  EXPECT_EQ(kSetOutputDeprecated,
            "The `set-output` command is deprecated and will be disabled soon. Please upgrade "
            "to using Environment Files. For more information see: "
            "https://github.blog/changelog/"
            "2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/");
  EXPECT_EQ(disabled_command_message("set-env"),
            "The `set-env` command is disabled. Please upgrade to using Environment Files or "
            "opt into unsecure command execution by setting the "
            "`ACTIONS_ALLOW_UNSECURE_COMMANDS` environment variable to `true`. For more "
            "information see: https://github.blog/changelog/"
            "2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/");
  EXPECT_EQ(std::string(stop_token_refused_message),
            "You cannot use a endToken that is an empty string, the string 'pause-logging', "
            "or another workflow command. For more information see: "
            "https://docs.github.com/actions/learn-github-actions/"
            "workflow-commands-for-github-actions"
            "#example-stopping-and-starting-workflow-commands or opt into insecure command "
            "execution by setting the `ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS` environment "
            "variable to `true`.");
}

// Lines that are not commands are shown as they are.
TEST(GhWorkflowCommands, PlainLinesPassThrough) {
  for (const char* line :
       {"hello", "", "::", "::error", "::unknown::x", "::set-outputs name=a::1",
        ":: error::leading space in the name", "##[unknown]x", "##[error", "x ::error::y",
        "::error=1::no space before the properties"}) {
    SCOPED_TRACE(line);
    workflow_commands wc;
    command_result r = wc.process(line);
    EXPECT_EQ(r.log, lines{line});
    EXPECT_TRUE(r.failure.empty());
    EXPECT_FALSE(r.issue);
    EXPECT_TRUE(r.masks.empty());
  }
}

struct log_case {
  const char* line;
  lines log;
  std::string failure;  // empty: the step goes on
};

// Every command with default options (no debug, echo off, nothing unsecure).
TEST(GhWorkflowCommands, WhatEachCommandShows) {
  const log_case cases[] = {
      {"::error::boom", {"##[error]boom"}, ""},
      {"::warning::careful", {"##[warning]careful"}, ""},
      {"::notice::fyi", {"##[notice]fyi"}, ""},
      {"::ERROR::names ignore case", {"##[error]names ignore case"}, ""},
      {"   ::error::indented", {"##[error]indented"}, ""},
      {"::error::a::b", {"##[error]a::b"}, ""},
      {"::group::Build", {"##[group]Build"}, ""},
      {"::endgroup::", {"##[endgroup]"}, ""},
      {"::endgroup::ignored", {"##[endgroup]"}, ""},
      {"::debug::only with step debug", {}, ""},
      {"::add-mask::s3cr3t", {}, ""},
      {"::add-matcher::.github/m.json", {}, ""},
      {"::remove-matcher owner=x::", {}, ""},
      {"::echo::off", {}, ""},
      {"::echo::ON", {}, ""},
      {"::set-output name=a::1", {"##[warning]" + kSetOutputDeprecated}, ""},
      {"::save-state name=a::1", {"##[warning]" + kSaveStateDeprecated}, ""},
      {"::add-mask::   ",
       {"##[warning]Can't add secret mask for empty string in ##[add-mask] command."},
       ""},
      {"::set-output::1",
       {"##[warning]" + kSetOutputDeprecated,
        "##[error]Unable to process command '::set-output::1' successfully.",
        "##[error]Required field 'name' is missing in ##[set-output] command."},
       "Required field 'name' is missing in ##[set-output] command."},
      {"::save-state name=::1",
       {"##[warning]" + kSaveStateDeprecated,
        "##[error]Unable to process command '::save-state name=::1' successfully.",
        "##[error]Required field 'name' is missing in ##[save-state] command."},
       "Required field 'name' is missing in ##[save-state] command."},
      {"::set-env name=A::b",
       {"##[error]Unable to process command '::set-env name=A::b' successfully.",
        "##[error]" + disabled_command_message("set-env")},
       disabled_command_message("set-env")},
      {"::add-path::/opt/bin",
       {"##[error]Unable to process command '::add-path::/opt/bin' successfully.",
        "##[error]" + disabled_command_message("add-path")},
       disabled_command_message("add-path")},
      {"::echo::maybe",
       {"##[error]Unable to process command '::echo::maybe' successfully.",
        "##[error]Invalid echo command value. Possible values can be: 'on', 'off'. Current "
        "value is: 'maybe'."},
       "Invalid echo command value. Possible values can be: 'on', 'off'. Current value is: "
       "'maybe'."},
      {"::echo::",
       {"##[error]Unable to process command '::echo::' successfully.",
        "##[error]Value cannot be null. (Parameter 'value')"},
       "Value cannot be null. (Parameter 'value')"},
      {"::stop-commands::", {std::string("##[error]") + stop_token_refused_message},
       stop_token_refused_message},
      {"::stop-commands::pause-logging", {std::string("##[error]") + stop_token_refused_message},
       stop_token_refused_message},
      {"::stop-commands::Pause-Logging", {std::string("##[error]") + stop_token_refused_message},
       stop_token_refused_message},
      {"::stop-commands::set-env", {std::string("##[error]") + stop_token_refused_message},
       stop_token_refused_message},
      {"::stop-commands::ERROR", {std::string("##[error]") + stop_token_refused_message},
       stop_token_refused_message},
      // The legacy form, anywhere in the line.
      {"##[error]old style", {"##[error]old style"}, ""},
      {"text before ##[warning]old style", {"##[warning]old style"}, ""},
  };
  for (const log_case& c : cases) {
    SCOPED_TRACE(c.line);
    workflow_commands wc;
    command_result r = wc.process(c.line);
    EXPECT_EQ(r.log, c.log);
    EXPECT_EQ(r.failure, c.failure);
    EXPECT_FALSE(wc.stopped());
  }
}

struct escape_case {
  const char* line;
  std::string message;
  std::string title;
  std::string file;
  std::string line_no;
};

TEST(GhWorkflowCommands, EscapesAndProperties) {
  const escape_case cases[] = {
      // Data: %0D %0A %25 only, in that order, upper-case hex only.
      {"::warning::a%25b%0Ac%0Dd", "a%b\nc\rd", "", "", ""},
      {"::warning::%250A", "%0A", "", "", ""},
      {"::warning::%3A%2C%0a", "%3A%2C%0a", "", "", ""},
      // Properties also unescape %3A and %2C.
      {"::warning title=a%3Ab%2Cc%25d%0A::m", "m", "a:b,c%d\n", "", ""},
      {"::warning file=a%2Cb%3Ac.js,line=3::warn, with: colon", "warn, with: colon", "",
       "a,b:c.js", "3"},
      // Keys ignore case and a later one wins; empty keys and values are dropped;
      // '=' right after the key is skipped, as .NET's Split does.
      {"::warning TITLE=a,title=b::m", "m", "b", "", ""},
      {"::warning title=,file=f,=x,line==3::m", "m", "", "f", "3"},
      {"::warning =title=t::m", "m", "t", "", ""},
      {"::warning   title=t  ::m", "m", "t", "", ""},  // the list is trimmed
      {"::warning title= t ,file=f::m", "m", " t ", "f", ""},  // its pieces are not
      {"::warning title=t,,,file=f::m", "m", "t", "f", ""},
      {"::warning unknown=1::m", "m", "", "", ""},
      // Legacy: ';' between properties, %3B and %5D as well.
      {"##[warning file=a%3Bb;line=2]x%5Dy%3B", "x]y;", "", "a;b", "2"},
  };
  for (const escape_case& c : cases) {
    SCOPED_TRACE(c.line);
    workflow_commands wc;
    command_result r = wc.process(c.line);
    ASSERT_TRUE(r.issue);
    EXPECT_EQ(r.issue->message, c.message);
    EXPECT_EQ(r.issue->title, c.title);
    EXPECT_EQ(r.issue->file, c.file);
    EXPECT_EQ(r.issue->line, c.line_no);
    EXPECT_EQ(r.log, lines{"##[warning]" + c.message});
  }
}

struct position_case {
  const char* properties;
  std::string line, end_line, col, end_column;
};

// The runner's ValidateLinesAndColumns: what does not fit is dropped.
TEST(GhWorkflowCommands, AnnotationPositions) {
  const position_case cases[] = {
      {"line=5,endLine=6,col=2,endColumn=4", "5", "6", "", ""},  // columns need one line
      {"line=5,endLine=5,col=2,endColumn=4", "5", "5", "2", "4"},
      {"line=5,col=2,endColumn=4", "5", "", "2", "4"},
      {"col=1,endColumn=2", "", "", "", ""},  // columns need a line
      {"endLine=7", "7", "7", "", ""},        // a lone end line is the line
      {"line=1,endColumn=2", "1", "", "2", "2"},
      {"line=,endLine=3", "3", "3", "", ""},
      {"line=4,endLine=3", "", "", "", ""},
      {"line=1,endLine=1,col=3,endColumn=2", "1", "1", "", ""},
      {"line=x,endLine=3", "3", "3", "", ""},
      {"line= 2 ,col=+1", " 2 ", "", "+1", ""},
      {"LINE=9,ENDLINE=9,COL=1,ENDCOLUMN=1", "9", "9", "1", "1"},
  };
  for (const position_case& c : cases) {
    SCOPED_TRACE(c.properties);
    workflow_commands wc;
    command_result r = wc.process(std::string("::error ") + c.properties + "::m");
    ASSERT_TRUE(r.issue);
    EXPECT_EQ(r.issue->level, "error");
    EXPECT_EQ(r.issue->line, c.line);
    EXPECT_EQ(r.issue->end_line, c.end_line);
    EXPECT_EQ(r.issue->col, c.col);
    EXPECT_EQ(r.issue->end_column, c.end_column);
  }
}

TEST(GhWorkflowCommands, AnnotationFileRelativeToWorkspace) {
  const std::pair<const char*, const char*> cases[] = {
      {"/w/repo/src/a.c", "src/a.c"},
      {"/w/repository/a.c", "/w/repository/a.c"},
      {"/w/repo", "/w/repo"},
      {"/elsewhere/a.c", "/elsewhere/a.c"},
      {"src/a.c", "src/a.c"},
  };
  for (const char* workspace : {"/w/repo", "/w/repo/"}) {
    command_options options;
    options.workspace = workspace;
    for (const auto& [file, expected] : cases) {
      SCOPED_TRACE(std::string(workspace) + " " + file);
      workflow_commands wc(options);
      command_result r = wc.process(std::string("::notice file=") + file + ",line=1::m");
      ASSERT_TRUE(r.issue);
      EXPECT_EQ(r.issue->file, expected);
      EXPECT_EQ(r.issue->level, "notice");
    }
  }
  workflow_commands wc;  // no workspace: as written
  EXPECT_EQ(wc.process("::error file=/w/repo/a.c,title=T::m").issue->file, "/w/repo/a.c");
}

TEST(GhWorkflowCommands, OutputsAndState) {
  workflow_commands wc;
  command_result r = wc.process("::set-output name=greeting::hello%0Aworld");
  ASSERT_TRUE(r.output);
  EXPECT_EQ(r.output->name, "greeting");
  EXPECT_EQ(r.output->value, "hello\nworld");
  EXPECT_FALSE(r.state);
  EXPECT_TRUE(r.failure.empty());

  r = wc.process("::save-state NAME=pid::42");
  ASSERT_TRUE(r.state);
  EXPECT_EQ(r.state->name, "pid");
  EXPECT_EQ(r.state->value, "42");
  EXPECT_FALSE(r.output);

  r = wc.process("::set-output name=empty::");
  ASSERT_TRUE(r.output);
  EXPECT_EQ(r.output->value, "");
}

struct mask_case {
  const char* line;
  lines masks;
};

TEST(GhWorkflowCommands, Masks) {
  const mask_case cases[] = {
      {"::add-mask::s3cr3t", {"s3cr3t"}},
      {"::add-mask:: padded ", {" padded "}},
      {"::add-mask::a%25b", {"a%b"}},
      // Each line of a multi-line value too, trimmed; lines too short to be
      // told from ordinary output are left to the whole value.
      {"::add-mask::line one%0A  second line  %0Ab%0A",
       {"line one\n  second line  \nb\n", "line one", "second line"}},
      {"::add-mask::first%0D%0Asecond", {"first\r\nsecond", "first", "second"}},
      {"::add-mask::   ", {}},
  };
  for (const mask_case& c : cases) {
    SCOPED_TRACE(c.line);
    workflow_commands wc;
    command_result r = wc.process(c.line);
    EXPECT_EQ(r.masks, c.masks);
    EXPECT_TRUE(r.failure.empty());
  }
}

TEST(GhWorkflowCommands, DebugNeedsStepDebug) {
  command_options debug;
  debug.step_debug = true;
  workflow_commands wc(debug);
  EXPECT_EQ(wc.process("::debug::one").log, lines{"##[debug]one"});
  EXPECT_EQ(wc.process("::debug::a%0Ab").log, (lines{"##[debug]a", "##[debug]b"}));
  EXPECT_EQ(wc.process("::debug::a%0D%0Ab").log, (lines{"##[debug]a", "##[debug]b"}));
  // Step debug turns echo on; debug and the annotations are never echoed.
  EXPECT_EQ(wc.process("::group::g").log, (lines{"::group::g", "##[group]g"}));
  EXPECT_EQ(wc.process("::error::e").log, lines{"##[error]e"});

  workflow_commands quiet;
  EXPECT_TRUE(quiet.process("::debug::one").log.empty());
}

TEST(GhWorkflowCommands, Echo) {
  workflow_commands wc;
  EXPECT_TRUE(wc.process("::echo::on").log.empty());  // was off
  EXPECT_EQ(wc.process("::set-output name=a::1").log,
            (lines{"::set-output name=a::1", "##[warning]" + kSetOutputDeprecated}));
  EXPECT_EQ(wc.process("::group::g").log, (lines{"::group::g", "##[group]g"}));
  EXPECT_EQ(wc.process("::warning::w").log, lines{"##[warning]w"});
  EXPECT_EQ(wc.process("::notice::n").log, lines{"##[notice]n"});
  EXPECT_TRUE(wc.process("::debug::d").log.empty());
  // The secret never is: only a placeholder.
  EXPECT_EQ(wc.process("::add-mask::s3cr3t").log, lines{"::add-mask::***"});
  // A failing command is echoed before its error.
  EXPECT_EQ(wc.process("::set-env name=A::b").log,
            (lines{"::set-env name=A::b",
                   "##[error]Unable to process command '::set-env name=A::b' successfully.",
                   "##[error]" + disabled_command_message("set-env")}));
  EXPECT_EQ(wc.process("::echo:: Off  ").log, lines{"::echo:: Off  "});  // was on
  EXPECT_EQ(wc.process("::group::g").log, lines{"##[group]g"});
}

TEST(GhWorkflowCommands, StopCommands) {
  workflow_commands wc;
  command_result r = wc.process("::stop-commands::pause-7f3a");
  EXPECT_EQ(r.log, lines{"::stop-commands::pause-7f3a"});
  // Longer than six characters: masked, so output cannot learn it.
  EXPECT_EQ(r.masks, lines{"pause-7f3a"});
  EXPECT_TRUE(wc.stopped());
  for (const char* line : {"::set-output name=a::1", "::error::x", "::add-mask::s",
                           "::stop-commands::other", "##[error]x", "::pause-7f3ax::",
                           "plain"}) {
    SCOPED_TRACE(line);
    r = wc.process(line);
    EXPECT_EQ(r.log, lines{line});
    EXPECT_FALSE(r.output);
    EXPECT_FALSE(r.issue);
    EXPECT_TRUE(r.masks.empty());
    EXPECT_TRUE(wc.stopped());
  }
  // The token resumes in any case, whatever its properties and data.
  r = wc.process("::PAUSE-7F3A x=y::ignored");
  EXPECT_EQ(r.log, lines{"::PAUSE-7F3A x=y::ignored"});
  EXPECT_FALSE(wc.stopped());
  EXPECT_TRUE(wc.process("::set-output name=a::1").output);
  // A resumed token is an ordinary line again.
  EXPECT_EQ(wc.process("::pause-7f3a::").log, lines{"::pause-7f3a::"});
}

TEST(GhWorkflowCommands, StopCommandsShortTokenAndLegacyResume) {
  workflow_commands wc;
  command_result r = wc.process("::stop-commands::abc");
  EXPECT_TRUE(r.masks.empty());
  EXPECT_TRUE(wc.stopped());
  EXPECT_EQ(wc.process("##[abc]").log, lines{"##[abc]"});
  EXPECT_FALSE(wc.stopped());
}

TEST(GhWorkflowCommands, StopCommandsRefusedTokenKeepsProcessing) {
  workflow_commands wc;
  EXPECT_FALSE(wc.process("::stop-commands::debug").failure.empty());
  EXPECT_FALSE(wc.stopped());
  EXPECT_TRUE(wc.process("::error::still a command").issue);
}

TEST(GhWorkflowCommands, StopCommandsUnsecureTokensAllowed) {
  command_options options;
  options.allow_unsecure_stop_tokens = true;
  workflow_commands wc(options);
  command_result r = wc.process("::stop-commands::set-env");
  EXPECT_TRUE(r.failure.empty());
  EXPECT_TRUE(wc.stopped());
  EXPECT_EQ(wc.process("::set-env::").log, lines{"::set-env::"});
  EXPECT_FALSE(wc.stopped());

  // An empty token stops for good: nothing can resume it.
  workflow_commands forever(options);
  EXPECT_TRUE(forever.process("::stop-commands::").failure.empty());
  EXPECT_TRUE(forever.stopped());
  EXPECT_EQ(forever.process("::::").log, lines{"::::"});
  EXPECT_EQ(forever.process("::error::x").log, lines{"::error::x"});
  EXPECT_TRUE(forever.stopped());
}

TEST(GhWorkflowCommands, UnsecureCommandsAllowed) {
  command_options options;
  options.allow_unsecure_commands = true;
  workflow_commands wc(options);
  command_result r = wc.process("::set-env name=GREETING::hi%0Athere");
  EXPECT_TRUE(r.failure.empty());
  EXPECT_TRUE(r.log.empty());
  ASSERT_TRUE(r.env);
  EXPECT_EQ(r.env->name, "GREETING");
  EXPECT_EQ(r.env->value, "hi\nthere");

  r = wc.process("::set-env name=node_options::--require ./evil.js");
  EXPECT_FALSE(r.env);
  EXPECT_TRUE(r.failure.empty());  // reported, not fatal
  EXPECT_EQ(r.log, lines{"##[error]Can't update NODE_OPTIONS environment variable using "
                         "::set-env:: command."});

  r = wc.process("::set-env::x");
  EXPECT_EQ(r.failure, "Required field 'name' is missing in ##[set-env] command.");

  r = wc.process("::add-path::/opt/tool/bin");
  ASSERT_TRUE(r.path);
  EXPECT_EQ(*r.path, "/opt/tool/bin");
  r = wc.process("::add-path::");
  EXPECT_FALSE(r.path);
  EXPECT_EQ(r.failure, "Value cannot be null. (Parameter 'path')");
  EXPECT_EQ(r.log, (lines{"##[error]Unable to process command '::add-path::' successfully.",
                          "##[error]Value cannot be null. (Parameter 'path')"}));
}

TEST(GhWorkflowCommands, OptionsFromVariables) {
  using vars = std::map<std::string, std::string>;
  command_options o = command_options_from(vars{{"ACTIONS_STEP_DEBUG", " True "},
                                                {"ACTIONS_ALLOW_UNSECURE_COMMANDS", "TRUE"},
                                                {"ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS", "1"},
                                                {"GITHUB_WORKSPACE", "/w"}});
  EXPECT_TRUE(o.step_debug);
  EXPECT_TRUE(o.allow_unsecure_commands);
  EXPECT_TRUE(o.allow_unsecure_stop_tokens);
  EXPECT_EQ(o.workspace, "/w");

  // bool.TryParse knows only true/false; ConvertToBoolean also 1 and $true.
  o = command_options_from(vars{{"ACTIONS_STEP_DEBUG", "1"},
                                {"ACTIONS_ALLOW_UNSECURE_COMMANDS", "yes"},
                                {"ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS", "$TRUE"}});
  EXPECT_FALSE(o.step_debug);
  EXPECT_FALSE(o.allow_unsecure_commands);
  EXPECT_TRUE(o.allow_unsecure_stop_tokens);
  o = command_options_from(vars{});
  EXPECT_FALSE(o.step_debug || o.allow_unsecure_commands || o.allow_unsecure_stop_tokens);
}

}  // namespace
}  // namespace runner::gh

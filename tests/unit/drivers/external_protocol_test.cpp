// The external driver wire format: what the runner writes, and how it reads
// (or refuses, without quoting) what a driver writes.
#include <gtest/gtest.h>

#include "drivers/external/driver_protocol.hpp"

namespace runner::ext {
namespace {

using nlohmann::json;

json parsed(const std::string& line) {
  EXPECT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line per message";
  return json::parse(line);
}

template <class T>
T decoded(const std::string& line) {
  auto d = decode_driver_line(line, 1 << 20);
  EXPECT_TRUE(d.message) << d.error;
  if (!d.message || !std::holds_alternative<T>(*d.message)) {
    ADD_FAILURE() << "not the expected message: " << line;
    return T{};
  }
  return std::get<T>(*d.message);
}

std::string error_of(const std::string& line, size_t max = 1 << 20) {
  auto d = decode_driver_line(line, max);
  EXPECT_FALSE(d.message) << line;
  return d.error;
}

TEST(ExternalProtocol, RunnerMessages) {
  EXPECT_EQ(parsed(encode_handshake("node-a")),
            json({{"type", "handshake"}, {"protocol", 1}, {"runner", "node-a"}}));
  exec_request r;
  r.id = "run-1";
  r.task = "build";
  r.task_type = "make";
  r.group = "g";
  r.attempt = 2;
  r.spec = {{"target", "all"}};
  r.imports = {{"fetch.token", "line1\nline2"}};
  r.confidential = {"fetch.token"};
  json e = parsed(encode_exec(r));
  EXPECT_EQ(e["type"], "exec");
  EXPECT_EQ(e["spec"]["target"], "all");
  EXPECT_EQ(e["imports"]["fetch.token"], "line1\nline2") << "newlines are escaped";
  EXPECT_EQ(e["confidential"][0], "fetch.token");
  EXPECT_EQ(e["attempt"], 2);
  EXPECT_EQ(parsed(encode_signal("run-1", signal_kind::pause))["signal"], "pause");
  EXPECT_EQ(parsed(encode_signal("run-1", signal_kind::start))["signal"], "start");
  EXPECT_EQ(parsed(encode_signal("run-1", signal_kind::destroy))["signal"], "destroy");
  EXPECT_EQ(parsed(encode_shutdown()), json({{"type", "shutdown"}}));
}

TEST(ExternalProtocol, BytesThatAreNotUtf8StillMakeALine) {
  exec_request r;
  r.id = "x";
  r.imports = {{"a.b", std::string("\xff\xfe ok", 5)}};
  EXPECT_NO_THROW(parsed(encode_exec(r)));
}

TEST(ExternalProtocol, DriverMessages) {
  auto h = decoded<handshake_reply>(
      R"({"type":"handshake","protocol":1,"task_types":["make","lint"],"name":"mk","version":"0.3",)"
      R"("capabilities":{"pause":true,"max_tasks":4}})");
  EXPECT_EQ(h.protocol, 1);
  EXPECT_EQ(h.task_types, (std::vector<std::string>{"make", "lint"}));
  EXPECT_TRUE(h.can_pause);
  EXPECT_EQ(h.max_tasks, 4u);
  auto l = decoded<log_message>(R"({"type":"log","id":"r","stream":"stderr","line":"hi"})");
  EXPECT_EQ(l.stream, stream_kind::err);
  EXPECT_EQ(l.line, "hi");
  EXPECT_EQ(decoded<log_message>(R"({"type":"log","id":"r","line":"x"})").stream, stream_kind::out);
  auto o = decoded<outputs_message>(R"({"type":"outputs","id":"r","outputs":{"k":"v"}})");
  EXPECT_EQ(o.outputs.at("k"), "v");
  auto ok = decoded<result_message>(
      R"({"type":"result","id":"r","status":"success","outputs":{"k":"v"},"secret_outputs":["k"]})");
  EXPECT_TRUE(ok.success);
  EXPECT_EQ(ok.secret_outputs, (std::vector<std::string>{"k"}));
  auto bad = decoded<result_message>(R"({"type":"result","id":"r","status":"failed","exit_code":3})");
  EXPECT_FALSE(bad.success);
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_EQ(bad.error, "the driver reported a failure without saying why");
}

TEST(ExternalProtocol, GarbageIsDescribedNotQuoted) {
  std::string e = error_of("password=hunter2 {");
  EXPECT_NE(e.find("not JSON"), std::string::npos) << e;
  EXPECT_NE(e.find("invalid at byte"), std::string::npos) << e;
  EXPECT_EQ(e.find("hunter2"), std::string::npos) << e;
  EXPECT_NE(error_of(std::string(100, 'x'), 50).find("100 bytes, over the limit of 50"),
            std::string::npos);
  EXPECT_NE(error_of("[1,2]").find("not a message"), std::string::npos);
  EXPECT_NE(error_of(R"({"type":"telepathy"})").find("an unknown type"), std::string::npos);
}

// A number too large for a double is no syntax error to nlohmann: its
// throwing parse raises out_of_range instead (found by fuzzing: it ended the
// runner). The line is still an error that names no byte of it.
TEST(ExternalProtocol, ANumberOutOfRangeIsAnErrorNotACrash) {
  std::string e = error_of(R"({"type":"result","n":1e99999})");
  EXPECT_NE(e.find("not JSON (a number out of range)"), std::string::npos) << e;
}

TEST(ExternalProtocol, WrongFieldsNameTheField) {
  EXPECT_NE(error_of(R"({"type":"handshake","task_types":["a"]})").find("no integer `protocol`"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"type":"handshake","protocol":1,"task_types":[]})").find("no `task_types`"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"type":"log","line":"x"})").find("a `log` message has no `id`"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"type":"log","id":"r","stream":"tty","line":"x"})").find("`stream`"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"type":"outputs","id":"r","outputs":{"a":"x","k":1}})")
                .find("entry 2 of `outputs` must be a string"),
            std::string::npos);
  // Names and types the driver chose are never quoted: they may hold a secret.
  EXPECT_EQ(error_of(R"({"type":"outputs","id":"r","outputs":{"s3cret":1}})").find("s3cret"),
            std::string::npos);
  EXPECT_EQ(error_of(R"({"type":"s3cret","id":"r"})").find("s3cret"), std::string::npos);
  EXPECT_NE(error_of(R"({"type":"result","id":"r","status":"maybe"})").find("`status` must be"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"type":"result","id":"r","status":"failed","exit_code":"3"})")
                .find("`exit_code` must be an integer"),
            std::string::npos);
}

TEST(ExternalProtocol, AMalformedMessageStillNamesItsTask) {
  // So that the host fails only that task, not every task of the process.
  auto d = decode_driver_line(R"({"type":"result","id":"run-7","status":"maybe"})", 1 << 20);
  EXPECT_FALSE(d.message);
  EXPECT_EQ(d.id, "run-7");
  EXPECT_TRUE(decode_driver_line(R"({"type":"result","id":7,"status":"x"})", 1 << 20).id.empty());
  EXPECT_TRUE(decode_driver_line("not json", 1 << 20).id.empty());
}

}  // namespace
}  // namespace runner::ext

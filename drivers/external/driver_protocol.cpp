#include "drivers/external/driver_protocol.hpp"
#include "schema/json_text.hpp"

namespace runner::ext {

namespace {

using nlohmann::json;

std::string line_of(const json& j) {
  // Invalid UTF-8 in a value is replaced, not thrown on: a task's output
  // may be any bytes, and the driver must still get its line.
  return json_text(j) + "\n";
}

// Reads the fields of one message, remembering the first thing wrong.
class fields {
 public:
  fields(const json& j, const char* type) : j_(j), type_(type) {}

  std::string text(const char* name, bool required) {
    auto i = j_.find(name);
    if (i == j_.end() || i->is_null()) {
      if (required)
        fail(std::string("has no `") + name + "`");
      return {};
    }
    if (!i->is_string()) {
      fail(std::string("`") + name + "` must be a string");
      return {};
    }
    return i->get<std::string>();
  }

  std::map<std::string, std::string> text_map(const char* name) {
    std::map<std::string, std::string> out;
    auto i = j_.find(name);
    if (i == j_.end() || i->is_null())
      return out;
    if (!i->is_object()) {
      fail(std::string("`") + name + "` must be an object of strings");
      return out;
    }
    size_t n = 0;
    for (auto& [k, v] : i->items()) {
      ++n;
      if (!v.is_string()) {
        // By position: a name the driver chose may hold a secret.
        fail("entry " + std::to_string(n) + " of `" + name + "` must be a string");
        return out;
      }
      out[k] = v.get<std::string>();
    }
    return out;
  }

  std::vector<std::string> text_list(const char* name) {
    std::vector<std::string> out;
    auto i = j_.find(name);
    if (i == j_.end() || i->is_null())
      return out;
    if (!i->is_array()) {
      fail(std::string("`") + name + "` must be a list of strings");
      return out;
    }
    for (auto& v : *i) {
      if (!v.is_string()) {
        fail(std::string("`") + name + "` must be a list of strings");
        return out;
      }
      out.push_back(v.get<std::string>());
    }
    return out;
  }

  void fail(std::string why) {
    if (error.empty())
      error = std::string("a `") + type_ + "` message " + why;
  }

  std::string error;

 private:
  const json& j_;
  const char* type_;
};

}  // namespace

std::string encode_handshake(const std::string& runner_name) {
  return line_of({{"type", "handshake"}, {"protocol", protocol_version}, {"runner", runner_name}});
}

std::string encode_exec(const exec_request& r) {
  return line_of({{"type", "exec"},
                  {"id", r.id},
                  {"task", r.task},
                  {"task_type", r.task_type},
                  {"group", r.group},
                  {"attempt", r.attempt},
                  {"spec", r.spec},
                  {"imports", r.imports},
                  {"confidential", r.confidential}});
}

std::string encode_signal(const std::string& id, signal_kind s) {
  const char* name = s == signal_kind::start ? "start" : s == signal_kind::pause ? "pause" : "destroy";
  return line_of({{"type", "signal"}, {"id", id}, {"signal", name}});
}

std::string encode_shutdown() { return line_of({{"type", "shutdown"}}); }

decoded_message decode_driver_line(std::string_view line, size_t max_bytes) {
  decoded_message out;
  if (line.size() > max_bytes) {
    out.error = "a line of " + std::to_string(line.size()) + " bytes, over the limit of " +
                std::to_string(max_bytes) + " bytes";
    return out;
  }
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded()) {
    // Parse once more for the position: the non-throwing parse does not say.
    // A number too large for a double throws out_of_range, not parse_error.
    std::string where;
    try {
      json again = json::parse(line);
      (void)again;
    } catch (const json::parse_error& e) {
      where = " (invalid at byte " + std::to_string(e.byte) + ")";
    } catch (const json::exception&) {
      where = " (a number out of range)";
    }
    out.error = "a line that is not JSON" + where + ", " + std::to_string(line.size()) + " bytes";
    return out;
  }
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string()) {
    out.error = "a JSON line that is not a message (an object with a string `type`)";
    return out;
  }
  const std::string type = j["type"].get<std::string>();
  if (j.contains("id") && j["id"].is_string())
    out.id = j["id"].get<std::string>();
  fields f(j, type.c_str());
  if (type == "handshake") {
    handshake_reply h;
    if (!j.contains("protocol") || !j["protocol"].is_number_integer())
      f.fail("has no integer `protocol`");
    else
      h.protocol = j["protocol"].get<int>();
    h.task_types = f.text_list("task_types");
    if (h.task_types.empty())
      f.fail("names no `task_types`");
    h.name = f.text("name", false);
    h.version = f.text("version", false);
    if (j.contains("capabilities")) {
      const json& c = j["capabilities"];
      if (!c.is_object()) {
        f.fail("`capabilities` must be an object");
      } else {
        if (c.contains("pause")) {
          if (c["pause"].is_boolean())
            h.can_pause = c["pause"].get<bool>();
          else
            f.fail("`capabilities.pause` must be true or false");
        }
        if (c.contains("max_tasks")) {
          if (c["max_tasks"].is_number_unsigned())
            h.max_tasks = c["max_tasks"].get<size_t>();
          else
            f.fail("`capabilities.max_tasks` must be a whole number");
        }
      }
    }
    if (f.error.empty())
      out.message = std::move(h);
  } else if (type == "log") {
    log_message m;
    m.id = f.text("id", true);
    std::string stream = f.text("stream", false);
    if (stream == "stderr")
      m.stream = stream_kind::err;
    else if (!stream.empty() && stream != "stdout")
      f.fail("`stream` must be stdout or stderr");
    m.line = f.text("line", true);
    if (f.error.empty())
      out.message = std::move(m);
  } else if (type == "outputs") {
    outputs_message m;
    m.id = f.text("id", true);
    m.outputs = f.text_map("outputs");
    if (f.error.empty())
      out.message = std::move(m);
  } else if (type == "result") {
    result_message m;
    m.id = f.text("id", true);
    std::string status = f.text("status", true);
    if (status == "success")
      m.success = true;
    else if (f.error.empty() && status != "failed")
      f.fail("`status` must be success or failed");
    m.outputs = f.text_map("outputs");
    m.error = f.text("error", false);
    m.secret_outputs = f.text_list("secret_outputs");
    if (j.contains("exit_code") && !j["exit_code"].is_null()) {
      if (j["exit_code"].is_number_integer())
        m.exit_code = j["exit_code"].get<int>();
      else
        f.fail("`exit_code` must be an integer");
    }
    if (f.error.empty() && !m.success && m.error.empty())
      m.error = "the driver reported a failure without saying why";
    if (f.error.empty())
      out.message = std::move(m);
  } else {
    // Not quoted: the driver chose it, and it may hold a secret.
    out.error = "a message of an unknown type (its `type` is " + std::to_string(type.size()) +
                " bytes; this runner speaks protocol version " +
                std::to_string(protocol_version) + ")";
    return out;
  }
  if (!out.message)
    out.error = f.error;
  return out;
}

}  // namespace runner::ext

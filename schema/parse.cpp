#include "schema/parse.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <unordered_map>

#include "schema/parse_task.hpp"
#include "schema/yaml_reader.hpp"
#include "schema/yaml_source.hpp"

namespace runner {

namespace {

const std::vector<std::string> kGroupFields = {"id", "forward", "taskGroup"};

std::string uuid_v4() {
  std::random_device random;
  unsigned char b[16];
  for (int i = 0; i < 16; i += 4) {
    unsigned int r = random();
    for (int k = 0; k < 4; ++k) b[i + k] = static_cast<unsigned char>(r >> (8 * k));
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  static const char hex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      s += '-';
    s += hex[b[i] >> 4];
    s += hex[b[i] & 0x0F];
  }
  return s;
}

void read_tasks(const YAML::Node& list, task_group& g, yaml_reader& r) {
  for (const YAML::Node& item : list)
    g.tasks.push_back(read_task(item, r));

  std::unordered_map<std::string, const task_decl*> first;
  for (const task_decl& t : g.tasks) {
    if (t.name.empty())
      continue;
    auto [it, fresh] = first.emplace(t.name, &t);
    if (!fresh)
      r.error(t.name_mark, "duplicate task name `" + t.name + "`",
              "the first task named `" + t.name + "` is on line " +
                  std::to_string(it->second->name_mark.line) +
                  "; task names must be unique in a group");
  }
}

void read_group(const YAML::Node& root, task_group& g, yaml_reader& r) {
  const std::string example = "a task group is a mapping with a `taskGroup:` list of tasks";
  if (root.IsNull()) {
    r.error({1, 1}, "the document is empty", example);
    return;
  }
  if (root.IsSequence()) {
    // Most likely the tasks without their key: read them anyway, so that the
    // user also learns what else is wrong.
    r.error(r.mark(root), "a task group must be a mapping, not a list",
            "put `taskGroup:` above the list of tasks");
    read_tasks(root, g, r);
    return;
  }
  if (!root.IsMap()) {
    r.error(r.mark(root), "a task group must be a mapping, not a single value", example);
    return;
  }
  bool has_tasks = false;
  for (const yaml_field& f : r.fields(root, kGroupFields, "the task group")) {
    if (f.key == "id") {
      auto v = r.scalar(f, "id", "write `id: <group id>`, or leave it out to get a generated one");
      if (v && v->find_first_of("\n\r\t") != std::string::npos)
        r.error(f.mark, "`id` must be one line of text", "shorten the id to a single line");
      else if (v)
        g.id = *v;
    } else if (f.key == "forward") {
      g.forward = read_forward(f, r);
    } else if (f.key == "taskGroup") {
      has_tasks = true;
      if (f.value.IsSequence() && f.value.size() > 0)
        read_tasks(f.value, g, r);
      else if (f.value.IsSequence() || f.value.IsNull())
        r.error(f.key_mark, "`taskGroup` has no tasks",
                "add tasks as list items: `- name: build` with `type:` and `spec:` under it");
      else
        r.error(f.mark, "`taskGroup` must be a list of tasks, not " +
                            std::string(kind_name(f.value)),
                "start each task with `- ` : `- name: build`");
    }
  }
  if (!has_tasks)
    r.error(r.mark(root), "`taskGroup` is missing", "add `taskGroup:` with a list of tasks");
}

}  // namespace

parse_result parse_task_group(const std::string& text, const std::string& file) {
  parse_result result;
  yaml_document doc = load_yaml(text, file, result.problems);
  if (doc.root) {
    task_group g;
    g.file = file;
    yaml_reader r(file, doc.text, result.problems);
    read_group(*doc.root, g, r);
    if (g.id.empty())
      g.id = uuid_v4();
    result.group = std::move(g);
  }
  sort_diagnostics(result.problems);
  return result;
}

parse_result load_task_group(const std::string& path) {
  const std::string hint = "check the path and the file's permissions";
  parse_result result;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    result.problems.push_back({path, {}, "cannot read `" + path + "`: it is a directory", hint});
    return result;
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::string why = errno ? std::strerror(errno) : "cannot open it";
    result.problems.push_back({path, {}, "cannot read `" + path + "`: " + why, hint});
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_task_group(text.str(), path);
}

}  // namespace runner

#include "schema/parse.hpp"
#include "schema/document_file.hpp"
#include "schema/uuid.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>

#include "schema/parse_task.hpp"
#include "schema/task_index.hpp"
#include "schema/yaml_reader.hpp"
#include "schema/yaml_source.hpp"

namespace runner {

namespace {

const std::vector<std::string> kGroupFields = {"id", "forward", "taskGroup"};

// Tasks are most of what a large group takes, and a vector that doubles
// holds them twice over while it moves them. Grow it instead to the count
// that the text read so far predicts, so it moves them about once, early.
void make_room(std::vector<task_decl>& tasks, size_t first_pos, size_t pos, size_t text_size) {
  size_t n = tasks.size();
  if (n < tasks.capacity())
    return;
  size_t want = std::max<size_t>(2 * n, 16);
  if (n > 0 && pos > first_pos && text_size > pos) {
    double per_task = static_cast<double>(pos - first_pos) / static_cast<double>(n);
    want = std::max(want, static_cast<size_t>((text_size - first_pos) / per_task * 1.25) + 16);
  }
  tasks.reserve(want);
}

void check_unique_names(const task_group& g, diagnostics& out) {
  task_index first(g);
  for (size_t i = 0; i < g.tasks.size(); ++i) {
    const task_decl& t = g.tasks[i];
    size_t f = t.name.empty() ? i : first.find(t.name);
    if (f != i)
      out.push_back({g.file, t.name_mark, "duplicate task name `" + t.name + "`",
                     "the first task named `" + t.name + "` is on line " +
                         std::to_string(g.tasks[f].name_mark.line) +
                         "; task names must be unique in a group"});
  }
}

// Reads each task as soon as the parser has it, so that a large group is
// never a whole YAML tree (see yaml_tree_builder).
class task_stream {
 public:
  task_stream(const std::string& file, std::vector<task_decl>& tasks)
      : file_(file), tasks_(tasks) {
    list_.key = "taskGroup";
    list_.start = [this](const std::string& text) {
      tasks_.clear();
      problems_.clear();
      reader_.emplace(file_, text, problems_);
      text_size_ = text.size();
    };
    list_.item = [this](yaml_node item) {
      size_t pos = item.mark().pos < 0 ? 0 : static_cast<size_t>(item.mark().pos);
      if (tasks_.empty())
        first_pos_ = pos;
      make_room(tasks_, first_pos_, pos, text_size_);
      tasks_.push_back(read_task(item, *reader_));
    };
  }

  const yaml_list_reader& list() const { return list_; }
  // After parsing: the list whose items were read (none: a missing node).
  void parsed(yaml_node streamed) { streamed_ = streamed; }
  bool streamed(yaml_node list) const { return list.exists() && list == streamed_; }
  bool any() const { return !tasks_.empty(); }

  // The problems found in the tasks, to be reported where reading the list
  // would have reported them: problems at one place keep their order.
  void hand_over_problems(diagnostics& out) {
    out.insert(out.end(), std::make_move_iterator(problems_.begin()),
               std::make_move_iterator(problems_.end()));
    problems_.clear();
  }

 private:
  const std::string& file_;
  std::vector<task_decl>& tasks_;
  yaml_list_reader list_;
  diagnostics problems_;
  std::optional<yaml_reader> reader_;  // one per parse attempt: it holds the spec budget
  size_t first_pos_ = 0, text_size_ = 0;
  yaml_node streamed_;
};

// The tasks of `list`, unless the parser streamed them already.
void read_tasks(yaml_node list, task_stream& stream, task_group& g, yaml_reader& r) {
  if (stream.streamed(list)) {
    stream.hand_over_problems(r.out());
    return;
  }
  for (yaml_node item : list.items())
    g.tasks.push_back(read_task(item, r));
}

void read_group(yaml_node root, task_stream& stream, task_group& g, yaml_reader& r) {
  const std::string example = "a task group is a mapping with a `taskGroup:` list of tasks";
  if (root.is_null()) {
    r.error({1, 1}, "the document is empty", example);
    return;
  }
  if (root.is_seq()) {
    // Most likely the tasks without their key: read them anyway, so that the
    // user also learns what else is wrong.
    r.error(r.mark(root), "a task group must be a mapping, not a list",
            "put `taskGroup:` above the list of tasks");
    read_tasks(root, stream, g, r);
    return;
  }
  if (!root.is_map()) {
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
      bool any = stream.streamed(f.value) ? stream.any() : f.value.size() > 0;
      if (f.value.is_seq() && any)
        read_tasks(f.value, stream, g, r);
      else if (f.value.is_seq() || f.value.is_null())
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

parse_result parse_task_group(std::string text, const std::string& file) {
  parse_result result;
  task_group g;
  g.file = file;
  {
    task_stream tasks(file, g.tasks);
    yaml_document doc = load_yaml(std::move(text), file, result.problems, &tasks.list());
    if (!doc.tree) {
      sort_diagnostics(result.problems);
      return result;
    }
    yaml_reader r(file, doc.text, result.problems);
    tasks.parsed(doc.tree->streamed_list());
    read_group(doc.tree->root(), tasks, g, r);
    tasks.hand_over_problems(result.problems);  // none left, unless read_group skipped the list
  }
  // Once the text is gone: with every task read, a large group is at its
  // largest here.
  check_unique_names(g, result.problems);
  if (g.id.empty())
    g.id = make_uuid();
  result.group = std::move(g);
  sort_diagnostics(result.problems);
  return result;
}

parse_result load_task_group(const std::string& path) {
  std::string text;
  if (auto problem = read_document_file(path, text)) {
    parse_result result;
    result.problems.push_back(std::move(*problem));
    return result;
  }
  return parse_task_group(std::move(text), path);
}

}  // namespace runner

#include "schema/validate.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "schema/dag.hpp"
#include "schema/parse.hpp"
#include "schema/spec_envs.hpp"
#include "schema/suggest.hpp"
#include "schema/task_index.hpp"
#include "schema/template.hpp"
#include "schema/yaml_json.hpp"
#include "schema/when.hpp"
#include "schema/yaml_reader.hpp"

namespace runner {

bool valid_forward_target(const std::string& to) {
  if (to.empty())
    return false;
  auto colon = to.rfind(':');
  if (colon != std::string::npos) {  // host:port, [v6]:port
    std::string port = to.substr(colon + 1);
    if (colon == 0 || port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos)
      return false;
    long n = std::stol(port);
    return n > 0 && n < 65536;
  }
  if (!std::isalpha(static_cast<unsigned char>(to[0])))
    return false;
  for (char c : to)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

namespace {

class checker {
 public:
  checker(const task_group& g, const task_type_catalog& types)
      : g_(g), types_(types), index_(g) {}

  diagnostics run() {
    for (const task_decl& t : g_.tasks) {
      check_type(t);
      check_references(t);
      check_templates(t);
      check_when(t);
    }
    check_cycles();
    check_forward_targets();
    // A forwarded task's spec is checked where it runs: what it may leave out
    // (a vault task's url and credentials) depends on that runner's config.
    for (const task_decl& t : g_.tasks)
      if (!t.type.empty() && types_.has(t.type) && !t.forward && !g_.forward)
        types_.check_spec(t, g_.file, out_);
    sort_diagnostics(out_);
    return std::move(out_);
  }

 private:
  void error(source_mark at, std::string message, std::string hint) {
    out_.push_back({g_.file, at, std::move(message), std::move(hint)});
  }

  const task_decl* task(const std::string& name) const {
    size_t i = index_.find(name);
    return i == task_index::npos ? nullptr : &g_.tasks[i];
  }

  std::string unknown_task_hint(const std::string& name) {
    // Only a misspelt name needs the list; a large group is spared the copy.
    if (names_.empty())
      for (size_t i = 0; i < g_.tasks.size(); ++i)
        if (!g_.tasks[i].name.empty() && index_.find(g_.tasks[i].name) == i)
          names_.push_back(g_.tasks[i].name);
    std::string m = closest_match(name, names_);
    return m.empty() ? "check the spelling; it must name a task of this group"
                     : "did you mean `" + m + "`?";
  }

  void check_type(const task_decl& t) {
    if (t.type.empty() || types_.has(t.type))
      return;  // a missing type was reported by the parser
    if (t.forward || g_.forward)
      return;  // the runner it is forwarded to knows its own types and checks them
    std::vector<std::string> known = types_.names();
    std::sort(known.begin(), known.end());
    std::string note = types_.unknown_type_note();
    error(t.type_mark, "unknown task type `" + t.type + "`",
          (known.empty() ? "this runner knows no task types"
                         : did_you_mean(t.type, known) + "known types: " + quoted_list(known)) +
              (note.empty() ? "" : "; " + note));
  }

  // Names that break the pattern were reported by the parser; looking them up
  // again would only repeat that.
  void check_references(const task_decl& t) {
    for (size_t i = 0; i < t.depends_on.size(); ++i) {
      const std::string& dep = t.depends_on[i];
      source_mark at = i < t.depends_on_marks.size() ? t.depends_on_marks[i] : t.depends_on_mark;
      if (!valid_task_name(dep))
        continue;
      if (dep == t.name)
        error(at, "task `" + t.name + "` depends on itself",
              "remove `" + dep + "` from its `depends_on`");
      else if (!task(dep))
        error(at, "task `" + t.name + "` depends on `" + dep + "`, which is not a task of this group",
              unknown_task_hint(dep));
    }
    for (const import_decl& im : t.imports) {
      if (!valid_task_name(im.from))
        continue;
      if (im.from == t.name) {
        error(im.mark, "task `" + t.name + "` imports from itself",
              "a task cannot import its own exports; remove this import");
        continue;
      }
      const task_decl* source = task(im.from);
      if (!source) {
        error(im.mark, "task `" + t.name + "` imports from `" + im.from +
                           "`, which is not a task of this group",
              unknown_task_hint(im.from));
        continue;
      }
      if (!valid_variable_name(im.variable))
        continue;
      std::vector<std::string> exported;
      for (const export_decl& ex : source->exports) exported.push_back(ex.name);
      if (std::find(exported.begin(), exported.end(), im.variable) != exported.end())
        continue;
      std::string hint =
          exported.empty()
              ? "`" + im.from + "` exports nothing; add `exports: [{name: " + im.variable +
                    "}]` to `" + im.from + "`"
              : did_you_mean(im.variable, exported) + "`" + im.from + "` exports " +
                    quoted_list(exported);
      error(im.mark, "task `" + t.name + "` imports `" + im.variable + "` from `" + im.from +
                         "`, which does not export it",
            hint);
    }
  }

  bool imports(const task_decl& t, const std::string& from, const std::string& variable) const {
    return std::any_of(t.imports.begin(), t.imports.end(), [&](const import_decl& im) {
      return im.from == from && im.variable == variable;
    });
  }

  // Where bytes of a string whose text starts at `start` stand, for offsets
  // asked in increasing order: it walks on from the last one, so a string
  // with 100,000 problems costs one pass, not one per problem. Exact for
  // one-line strings and block scalars; near enough for folded ones.
  class position_walker {
   public:
    position_walker(source_mark start, const std::string& s) : start_(start), m_(start), s_(s) {}
    source_mark at(size_t offset) {
      if (start_.line == 0)
        return start_;
      if (offset < k_) {  // not in order: start again
        m_ = start_;
        k_ = 0;
      }
      for (; k_ < offset && k_ < s_.size(); ++k_) {
        if (s_[k_] == '\n') {
          ++m_.line;
          m_.column = start_.column;
        } else if ((static_cast<unsigned char>(s_[k_]) & 0xC0) != 0x80) {  // characters, not bytes
          ++m_.column;
        }
      }
      return m_;
    }

   private:
    source_mark start_, m_;
    const std::string& s_;
    size_t k_ = 0;
  };

  void check_string(const task_decl& t, const std::string& s, source_mark start, bool exact) {
    template_scan scan = scan_templates(s);
    position_walker errors_at(start, s), refs_at(start, s);
    for (const template_error& e : scan.errors)
      error(exact ? errors_at.at(e.offset) : start, e.message, e.hint);
    for (const template_ref& ref : scan.refs) {
      if (imports(t, ref.task, ref.variable))
        continue;
      error(exact ? refs_at.at(ref.begin) : start,
            "template `" + s.substr(ref.begin, ref.end - ref.begin) + "` refers to `" +
                ref.task + "." + ref.variable + "`, which task `" + t.name + "` does not import",
            "add `imports: [{from: " + ref.task + ", variable: " + ref.variable + "}]`");
    }
  }

  // The mark of `pointer`, or of its nearest ancestor that has one (groups
  // built in code may carry no marks).
  static source_mark spec_mark(const task_decl& t, std::string pointer) {
    for (;;) {
      auto it = t.spec_marks.find(pointer);
      if (it != t.spec_marks.end())
        return it->second;
      if (pointer.empty())
        return t.mark;
      pointer.erase(pointer.rfind('/'));
    }
  }

  void check_templates(const task_decl& t) {
    // Iterative walk: spec nesting is the user's to choose.
    std::vector<std::pair<const json*, std::string>> todo = {{&t.spec, ""}};
    while (!todo.empty()) {
      auto [node, pointer] = todo.back();
      todo.pop_back();
      if (node->is_string()) {
        check_string(t, node->get_ref<const std::string&>(), spec_mark(t, pointer), true);
      } else if (node->is_object()) {
        // Reverse, so that problems come out in document order when marks tie.
        for (auto it = node->rbegin(); it != node->rend(); ++it) {
          todo.emplace_back(&it.value(), pointer + "/" + json_pointer_token(it.key()));
        }
      } else if (node->is_array()) {
        for (size_t i = node->size(); i-- > 0;)
          todo.emplace_back(&(*node)[i], pointer + "/" + std::to_string(i));
      }
    }
    if (t.cache)
      check_string(t, t.cache->key, t.cache->key_mark, true);
  }

  void check_cycles() {
    std::vector<std::vector<size_t>> deps = dependency_indices(g_);
    for (size_t i = 0; i < deps.size(); ++i)  // self-references were reported above
      deps[i].erase(std::remove(deps[i].begin(), deps[i].end(), i), deps[i].end());
    for (const std::vector<size_t>& cycle : find_cycles(deps)) {
      // A cycle through thousands of tasks is shown by its ends, which hold
      // the link that closes it.
      std::string path;
      for (size_t k = 0; k < cycle.size(); ++k) {
        if (cycle.size() > 41 && k == 20) {
          path += " -> ... (" + std::to_string(cycle.size() - 40) + " more)";
          k = cycle.size() - 21;
          continue;
        }
        path += (path.empty() ? "" : " -> ") + g_.tasks[cycle[k]].name;
      }
      error(g_.tasks[cycle.front()].mark, "dependency cycle: " + path,
            "each task waits for the next one (through `depends_on`, `imports` or a `when` "
            "that reads its status), so none can start; remove one of these dependencies");
    }
  }

  void check_when(const task_decl& t) {
    if (!t.when)
      return;
    const std::string& text = *t.when;
    check_string(t, text, t.when_mark, true);  // its `{{ }}` templates
    when_parse_result parsed = parse_when(text);
    if (!parsed.ok()) {
      if (scan_templates(text).errors.empty())  // those were reported just now
        error(position_walker(t.when_mark, text).at(parsed.error->offset), "`when`: " + parsed.error->format(),
              "write one expression, e.g. when: \"<+ build.status == 'success' >\" "
              "(docs/expressions.md)");
      return;
    }
    std::vector<std::string> envs;
    for (auto& [name, value] : spec_envs(t.spec)) envs.push_back(name);
    position_walker refs_at(t.when_mark, text);
    for (const expr_reference& ref : references(*parsed.condition)) {
      source_mark at = refs_at.at(ref.offset);
      std::string where = "`when`: expression at " + std::to_string(ref.line) + ":" +
                          std::to_string(ref.column) + ": ";
      switch (ref.kind) {
        case expr_reference_kind::import:
          // A `{{ }}` template's reference was checked with the templates.
          if (text.compare(ref.offset, 2, "{{") != 0 && !imports(t, ref.task, ref.name))
            error(at, where + "`" + ref.task + "." + ref.name + "` is not imported by task `" + t.name + "`",
                  "add `imports: [{from: " + ref.task + ", variable: " + ref.name + "}]`");
          break;
        case expr_reference_kind::status:
          if (ref.task == t.name)
            error(at, where + "task `" + t.name + "` reads its own status",
                  "a condition is checked before the task runs; read the status of an earlier task");
          else if (valid_task_name(ref.task) && !task(ref.task))
            error(at, where + "`" + ref.task + ".status` names no task of this group",
                  unknown_task_hint(ref.task));
          break;
        case expr_reference_kind::env:
          if (std::find(envs.begin(), envs.end(), ref.name) == envs.end())
            error(at, where + "`env." + ref.name + "` is not in the spec's `envs`",
                  "add `envs: {" + ref.name + ": ...}` to the task's spec");
          break;
      }
    }
  }

  // `forward.to` names a node (a peer, or one a peer can reach) or is a
  // host:port. Whether it is reachable is only known when the task runs.
  void check_forward_targets() {
    auto check = [&](const forward_decl& f) {
      if (valid_forward_target(f.to))
        return;
      error(f.mark, "`" + f.to + "` is not a runner to forward to",
            "write a node name like `node-b` (a peer in the runner config, or one a peer can "
            "reach) or host:port like `10.0.0.5:7700`");
    };
    if (g_.forward)
      check(*g_.forward);
    for (const task_decl& t : g_.tasks)
      if (t.forward)
        check(*t.forward);
  }

  const task_group& g_;
  const task_type_catalog& types_;
  task_index index_;
  std::vector<std::string> names_;  // in order, once each; for hints
  diagnostics out_;
};

}  // namespace

diagnostics validate_task_group(const task_group& group, const task_type_catalog& types) {
  return checker(group, types).run();
}

checked_group load_and_validate(const std::string& path, const task_type_catalog& types) {
  return check_parsed(load_task_group(path), types);
}

checked_group check_document(std::string text, const std::string& file,
                             const task_type_catalog& types) {
  return check_parsed(parse_task_group(std::move(text), file), types);
}

checked_group check_parsed(parse_result parsed, const task_type_catalog& types) {
  checked_group result;
  result.problems = std::move(parsed.problems);
  if (!parsed.group)
    return result;
  // Validate even a group with parse problems: the user gets every mistake in
  // one go, and the parser leaves what it read in a shape the checks accept.
  diagnostics more = validate_task_group(*parsed.group, types);
  result.problems.insert(result.problems.end(), more.begin(), more.end());
  sort_diagnostics(result.problems);
  if (result.problems.empty())
    result.group = std::move(parsed.group);
  return result;
}

}  // namespace runner

#include "schema/parse_task.hpp"

#include <cstdlib>
#include <map>

#include "schema/yaml_json.hpp"
#include "schema/yaml_source.hpp"

namespace runner {

const std::vector<std::string> kTaskFields = {
    "name", "type", "spec", "depends_on", "imports", "exports",
    "forward", "cache", "when", "timeout", "retry"};

namespace {

const std::vector<std::string> kImportFields = {"from", "variable"};
const std::vector<std::string> kExportFields = {"name", "confidential", "scope"};
const std::vector<std::string> kForwardFields = {"to"};
const std::vector<std::string> kCacheFields = {"key", "ttl"};
const std::vector<std::string> kRetryFields = {"attempts", "backoff"};

// `depends_on: a, b` is one string to YAML; say how to write a list.
std::string task_reference(const std::string& value, source_mark at, const std::string& what,
                           yaml_reader& r) {
  size_t comma = value.find(',');
  if (comma != std::string::npos && value.find_first_not_of(", \t", comma) != std::string::npos) {
    r.error(at, what + " `" + value + "` is not a valid task name",
            "to name several tasks write a list: `[" + value + "]`");
    return value;
  }
  return r.name(value, at, what, true);
}

void read_depends_on(const yaml_field& f, task_decl& t, yaml_reader& r) {
  t.depends_on_mark = f.mark;
  auto add = [&](yaml_node n, source_mark at) {
    t.depends_on.push_back(task_reference(n.scalar(), at, "`depends_on` entry", r));
    t.depends_on_marks.push_back(at);
  };
  if (f.value.is_null())
    return;  // `depends_on:` with nothing: waits for nothing
  if (f.value.is_scalar()) {
    add(f.value, f.mark);
    return;
  }
  if (!f.value.is_seq()) {
    r.error(f.mark, "`depends_on` must be a task name or a list of task names, not " +
                        std::string(kind_name(f.value)),
            "write `depends_on: [a, b]`, or `depends_on: a` for one task");
    return;
  }
  // Exactly: grown one by one, each task would leave holes in the heap.
  t.depends_on.reserve(f.value.size());
  t.depends_on_marks.reserve(f.value.size());
  for (yaml_node item : f.value.items()) {
    if (item.is_scalar())
      add(item, r.mark(item));
    else
      r.error(item.is_null() ? f.mark : r.mark(item),
              "a `depends_on` entry must be a task name, not " + std::string(kind_name(item)),
              "write `depends_on: [a, b]`");
  }
}

void read_imports(const yaml_field& f, task_decl& t, yaml_reader& r) {
  const std::string example = "write `imports: [{from: task, variable: name}]`";
  if (f.value.is_null())
    return;
  if (!f.value.is_seq()) {
    r.error(f.mark, "`imports` must be a list, not " + std::string(kind_name(f.value)), example);
    return;
  }
  for (yaml_node item : f.value.items()) {
    source_mark at = item.is_null() ? f.mark : r.mark(item);
    if (!item.is_map()) {
      std::string hint = example;
      // `- foo.password` is a natural guess; spell out the form meant.
      if (item.is_scalar()) {
        size_t dot = item.scalar().find('.');
        if (dot != std::string::npos)
          hint = "write `{from: " + item.scalar().substr(0, dot) +
                 ", variable: " + item.scalar().substr(dot + 1) + "}`";
      }
      r.error(at, "an import must be a mapping like `{from: task, variable: name}`, not " +
                      std::string(kind_name(item)),
              hint);
      continue;
    }
    import_decl im;
    im.mark = at;
    bool has_from = false, has_variable = false;
    for (const yaml_field& g : r.fields(item, kImportFields, "an import")) {
      if (g.key == "from") {
        has_from = true;
        if (auto v = r.scalar(g, "imports.from", "write `from: <task that exports it>`"))
          im.from = task_reference(*v, g.mark, "import source", r);
      } else if (g.key == "variable") {
        has_variable = true;
        if (auto v = r.scalar(g, "imports.variable", "write `variable: <exported name>`"))
          im.variable = r.name(*v, g.mark, "imported variable", false);
      }
    }
    if (!has_from)
      r.error(at, "import has no `from`", "add `from: <task>`, the task that exports the variable");
    if (!has_variable)
      r.error(at, "import has no `variable`", "add `variable: <name>`, the exported variable");
    t.imports.push_back(std::move(im));
  }
}

void read_exports(const yaml_field& f, task_decl& t, yaml_reader& r) {
  if (f.value.is_null())
    return;
  if (!f.value.is_seq()) {
    r.error(f.mark, "`exports` must be a list, not " + std::string(kind_name(f.value)),
            "write `exports: [{name: password, confidential: true}]`");
    return;
  }
  std::map<std::string, int> first_line;
  for (yaml_node item : f.value.items()) {
    source_mark at = item.is_null() ? f.mark : r.mark(item);
    if (!item.is_map()) {
      std::string hint = item.is_scalar() ? "write `- name: " + item.scalar() + "`"
                                          : "write `- name: password`";
      r.error(at, "an export must be a mapping like `{name: password}`, not " +
                      std::string(kind_name(item)),
              hint);
      continue;
    }
    export_decl ex;
    ex.mark = at;
    bool has_name = false;
    source_mark name_at = at;
    for (const yaml_field& g : r.fields(item, kExportFields, "an export")) {
      if (g.key == "name") {
        has_name = true;
        name_at = g.mark;
        if (auto v = r.scalar(g, "exports.name", "write `name: <variable name>`"))
          ex.name = r.name(*v, g.mark, "export name", false);
      } else if (g.key == "confidential") {
        if (auto b = r.boolean(g, "confidential"))
          ex.confidential = *b;
      } else if (g.key == "scope") {
        const std::string hint = "`local` (the default): other tasks of the group can import "
                                 "it; `global`: it is also listed in the group result";
        auto v = r.scalar(g, "scope", hint);
        if (v && *v == "global")
          ex.scope = export_scope::global;
        else if (v && *v != "local")
          r.error(g.mark, "`scope` must be `local` or `global`, not `" + *v + "`", hint);
      }
    }
    if (!has_name) {
      r.error(at, "export has no `name`", "add `name: <variable name>`");
    } else if (!ex.name.empty()) {
      auto [it, fresh] = first_line.emplace(ex.name, name_at.line);
      if (!fresh)
        r.error(name_at, "`" + ex.name + "` is exported twice",
                "the first export of `" + ex.name + "` is on line " +
                    std::to_string(it->second) + "; remove one");
    }
    t.exports.push_back(std::move(ex));
  }
}

std::optional<cache_decl> read_cache(const yaml_field& f, yaml_reader& r) {
  if (!f.value.is_map()) {
    r.error(f.mark, "`cache` must be a mapping, not " + std::string(kind_name(f.value)),
            "write `cache: {key: \"...\", ttl: 1h}`");
    return std::nullopt;
  }
  cache_decl c;
  c.mark = f.key_mark;
  bool has_key = false;
  for (const yaml_field& g : r.fields(f.value, kCacheFields, "`cache`")) {
    if (g.key == "key") {
      has_key = true;
      c.key_mark = g.value.is_null() ? g.mark : content_mark_of(g.value, r.text());
      if (auto v = r.scalar(g, "cache.key", "write `key: \"<what identifies the result>\"`")) {
        c.key = *v;
        if (v->empty())
          r.error(g.mark, "`cache.key` is empty",
                  "write what identifies the result, e.g. `key: \"build-{{ .checkout.sha }}\"`");
      }
    } else if (g.key == "ttl") {
      if (auto d = r.duration_value(g, "cache.ttl")) {
        if (d->count() == 0)
          r.error(g.mark, "`cache.ttl` of 0 would keep nothing",
                  "write how long a result stays valid, e.g. `ttl: 1h`, or leave `ttl` out to "
                  "keep results until `runner cache clear`");
        else
          c.ttl = *d;
      }
    }
  }
  if (!has_key)
    r.error(f.key_mark, "`cache` has no `key`", "add `key: \"...\"`, what identifies a result");
  return c;
}

std::optional<retry_decl> read_retry(const yaml_field& f, yaml_reader& r) {
  if (!f.value.is_map()) {
    r.error(f.mark, "`retry` must be a mapping, not " + std::string(kind_name(f.value)),
            "write `retry: {attempts: 3, backoff: 1s}`");
    return std::nullopt;
  }
  retry_decl retry;
  retry.mark = f.key_mark;
  for (const yaml_field& g : r.fields(f.value, kRetryFields, "`retry`")) {
    if (g.key == "attempts") {
      const std::string hint = "`attempts` counts every run including the first: "
                               "`attempts: 3` runs the task at most 3 times";
      auto v = r.scalar(g, "retry.attempts", hint);
      if (!v)
        continue;
      char* end = nullptr;
      long n = std::strtol(v->c_str(), &end, 10);
      if (v->empty() || *end != '\0' || n > 1000000)
        r.error(g.mark, "`retry.attempts` must be a whole number, not `" + *v + "`", hint);
      else if (n < 1)
        r.error(g.mark, "`retry.attempts` must be at least 1, not " + *v, hint);
      else
        retry.attempts = static_cast<int>(n);
    } else if (g.key == "backoff") {
      if (auto d = r.duration_value(g, "retry.backoff"))
        retry.backoff = *d;
    }
  }
  return retry;
}

}  // namespace

std::optional<forward_decl> read_forward(const yaml_field& f, yaml_reader& r) {
  if (!f.value.is_map()) {
    std::string hint = f.value.is_scalar() ? "write `forward: {to: " + f.value.scalar() + "}`"
                                           : "write `forward: {to: <runner>}`";
    r.error(f.mark, "`forward` must be a mapping, not " + std::string(kind_name(f.value)), hint);
    return std::nullopt;
  }
  forward_decl fw;
  fw.mark = f.key_mark;
  bool has_to = false;
  for (const yaml_field& g : r.fields(f.value, kForwardFields, "`forward`")) {
    has_to = true;
    if (auto v = r.scalar(g, "forward.to", "write `to: <peer name or host:port>`"))
      fw.to = *v;
  }
  if (!has_to)
    r.error(f.key_mark, "`forward` has no `to`", "add `to: <peer name or host:port>`");
  return fw;
}

task_decl read_task(yaml_node node, yaml_reader& r) {
  task_decl t;
  t.mark = r.mark(node);
  if (!node.is_map()) {
    r.error(t.mark, "a task must be a mapping, not " + std::string(kind_name(node)),
            "start each task with `- name: ...` and line its other fields up under `name`");
    return t;
  }
  bool has_name = false, has_type = false;
  for (const yaml_field& f : r.fields(node, kTaskFields, "a task")) {
    if (f.key == "name") {
      has_name = true;
      t.name_mark = f.mark;
      if (auto v = r.scalar(f, "name", "write `name: <unique task name>`"))
        t.name = r.name(*v, f.mark, "task name", true);
    } else if (f.key == "type") {
      has_type = true;
      t.type_mark = f.mark;
      auto v = r.scalar(f, "type", "write `type: <task type>`, e.g. `type: os_exec`");
      if (v && !v->empty() && v->back() == ',') {
        r.error(f.mark, "task type `" + *v + "` is not valid", kTrailingCommaHint);
        v->erase(v->find_last_not_of(", \t") + 1);
      }
      if (v)
        t.type = *v;
    } else if (f.key == "spec") {
      if (f.value.is_null()) {
        t.spec_marks = source_map({{"", f.key_mark}});
      } else if (!f.value.is_map()) {
        r.error(f.mark, "`spec` must be a mapping, not " + std::string(kind_name(f.value)),
                "write the task's inputs as `key: value` lines indented under `spec:`");
      } else {
        yaml_json_context ctx{r.file(), r.text(), r.out(), r.spec_budget()};
        std::vector<source_map::value_type> marks;
        t.spec = yaml_to_json(f.value, "", f.mark, marks, ctx);
        t.spec_marks = source_map(std::move(marks));
      }
    } else if (f.key == "depends_on") {
      read_depends_on(f, t, r);
    } else if (f.key == "imports") {
      read_imports(f, t, r);
    } else if (f.key == "exports") {
      read_exports(f, t, r);
    } else if (f.key == "forward") {
      t.forward = read_forward(f, r);
    } else if (f.key == "cache") {
      t.cache = read_cache(f, r);
    } else if (f.key == "when") {
      t.when_mark = f.value.is_null() ? f.mark : content_mark_of(f.value, r.text());
      if (auto v = r.scalar(f, "when", "write `when: \"<condition>\"`"))
        t.when = *v;
    } else if (f.key == "timeout") {
      t.timeout = r.duration_value(f, "timeout");
    } else if (f.key == "retry") {
      t.retry = read_retry(f, r);
    }
  }
  if (!has_name)
    r.error(t.mark, "task has no `name`", "add `name: <unique task name>`");
  if (!has_type)
    r.error(t.mark, (t.name.empty() ? "task" : "task `" + t.name + "`") + " has no `type`",
            "add `type: <task type>`, e.g. `type: os_exec`");
  return t;
}

}  // namespace runner

#include "schema/graph_render.hpp"

#include <algorithm>
#include <set>

#include "schema/dag.hpp"

namespace runner {

namespace {

// The variables `task` imports from `from`, comma-joined, in import order.
std::string edge_label(const task_decl& task, const std::string& from) {
  std::vector<std::string> seen;  // a variable imported twice is labelled once
  std::string label;
  for (const import_decl& im : task.imports) {
    if (im.from != from || std::find(seen.begin(), seen.end(), im.variable) != seen.end())
      continue;
    seen.push_back(im.variable);
    if (!label.empty())
      label += ", ";
    label += im.variable;
  }
  return label;
}

std::string dot_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";  // dot's own line break escape
      continue;
    }
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + '"';
}

// Mermaid ids allow only a few characters, and some words ("end", "graph")
// are keywords; a fixed prefix avoids both.
std::string mermaid_id(const std::string& name) {
  std::string id = "t_";
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    id += ok ? c : '_';
  }
  return id;
}

std::string mermaid_text(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"') out += "#quot;";
    else if (c == '|') out += "#124;";
    else if (c == '<') out += "#lt;";
    else if (c == '>') out += "#gt;";
    else out += c;
  }
  return out;
}

}  // namespace

std::string render_dot(const task_group& group) {
  std::vector<std::vector<size_t>> deps = dependency_indices(group);
  std::string out = "digraph " + dot_quote(group.id) + " {\n";
  for (const task_decl& t : group.tasks)
    out += "  " + dot_quote(t.name) + " [label=" + dot_quote(t.name + "\n(" + t.type + ")") +
           "];\n";
  for (size_t i = 0; i < group.tasks.size(); ++i) {
    const task_decl& t = group.tasks[i];
    for (size_t d : deps[i]) {
      const std::string& from = group.tasks[d].name;
      out += "  " + dot_quote(from) + " -> " + dot_quote(t.name);
      std::string label = edge_label(t, from);
      if (!label.empty())
        out += " [label=" + dot_quote(label) + "]";
      out += ";\n";
    }
  }
  return out + "}\n";
}

std::string render_mermaid(const task_group& group) {
  std::vector<std::vector<size_t>> deps = dependency_indices(group);
  // Sanitising can make two names collide ("a-b", "a_b"): number the later ones.
  std::vector<std::string> ids;
  std::set<std::string> used;
  for (size_t i = 0; i < group.tasks.size(); ++i) {
    std::string base = mermaid_id(group.tasks[i].name), id = base;
    for (int n = 2; !used.insert(id).second; ++n)
      id = base + "_" + std::to_string(n);
    ids.push_back(id);
  }
  std::string out = "flowchart TD\n";
  for (size_t i = 0; i < group.tasks.size(); ++i) {
    const task_decl& t = group.tasks[i];
    out += "  " + ids[i] + "[\"" + mermaid_text(t.name) + "<br/>(" + mermaid_text(t.type) +
           ")\"]\n";
  }
  for (size_t i = 0; i < group.tasks.size(); ++i) {
    for (size_t d : deps[i]) {
      std::string label = edge_label(group.tasks[i], group.tasks[d].name);
      out += "  " + ids[d] + " -->";
      if (!label.empty())
        out += "|\"" + mermaid_text(label) + "\"|";
      out += " " + ids[i] + "\n";
    }
  }
  return out;
}

}  // namespace runner

// `accept`: which task types this node runs for which remote submitter.
// Peer names are checked against `peers` later, once both are read.
#include <set>

#include "config/sections.hpp"

namespace runner::config_detail {

namespace {

const std::vector<std::string> kAcceptFields = {"from", "task_types"};
const char kAcceptExample[] = "write `- {from: node-b, task_types: [os_exec]}`";

void read_task_types(const yaml_field& f, accept_rule& rule, yaml_reader& r) {
  const std::string hint = "list the task types this peer may run, e.g. `task_types: [os_exec]`";
  if (f.value.is_scalar()) {
    // One type without brackets is clear enough to take as it is.
    rule.task_types.push_back(f.value.scalar());
    return;
  }
  if (!f.value.is_seq() && !f.value.is_null()) {
    r.error(f.mark, "`task_types` must be a list, not " + std::string(kind_name(f.value)), hint);
    return;
  }
  if (f.value.size() == 0) {
    r.error(f.mark, "`task_types` is empty", hint + "; to refuse a peer, leave its rule out");
    return;
  }
  for (yaml_node item : f.value.items()) {
    if (item.is_scalar() && !item.text().empty())
      rule.task_types.push_back(item.scalar());
    else
      r.error(item.is_null() ? f.mark : r.mark(item),
              "a `task_types` entry must be a task type name, not " + std::string(kind_name(item)),
              hint);
  }
}

}  // namespace

void read_accept(const yaml_field& f, node_config& c, section_marks& m, yaml_reader& r) {
  if (f.value.is_null()) return;  // `accept:` with nothing: deny everything, the default
  if (!f.value.is_seq()) {
    r.error(f.mark, "`accept` must be a list of rules, not " + std::string(kind_name(f.value)),
            kAcceptExample);
    return;
  }
  std::map<std::string, source_mark> first;
  for (yaml_node item : f.value.items()) {
    source_mark at = r.mark(item);
    if (!item.is_map()) {
      r.error(item.is_null() ? f.mark : at,
              "an `accept` rule must be a mapping, not " + std::string(kind_name(item)),
              kAcceptExample);
      continue;
    }
    accept_rule rule;
    rule.mark = at;
    source_mark from_mark = at;
    bool has_from = false, has_types = false;
    for (const yaml_field& rf : r.fields(item, kAcceptFields, "an `accept` rule")) {
      if (rf.key == "from") {
        auto v = r.scalar(rf, "from", "write a peer name or `\"*\"` for any peer");
        has_from = true;
        from_mark = rf.mark;
        if (v) rule.from = *v;
      } else {
        has_types = true;
        read_task_types(rf, rule, r);
      }
    }
    if (!has_from)
      r.error(at, "an `accept` rule has no `from`", "add `from: <peer name>` or `from: \"*\"`");
    if (!has_types) r.error(at, "an `accept` rule has no `task_types`", kAcceptExample);
    if (!rule.from.empty()) {
      auto [it, fresh] = first.emplace(rule.from, from_mark);
      if (!fresh)
        r.error(from_mark, "`accept` has two rules for `" + rule.from + "`",
                "the first is on line " + std::to_string(it->second.line) +
                    "; merge their `task_types` into one rule");
    }
    m.accept_from.push_back(from_mark);
    c.accept.push_back(std::move(rule));
  }
}

}  // namespace runner::config_detail

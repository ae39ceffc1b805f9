#pragma once
// `runner graph`: the DAG as Graphviz dot or Mermaid, import edges labelled
// with the variables they carry.
#include <string>

#include "schema/model.hpp"

namespace runner {

std::string render_dot(const task_group& group);
std::string render_mermaid(const task_group& group);

}  // namespace runner

#pragma once
// How a driver's check_spec reports a problem: at the position of the spec
// field it concerns (the task's type when the field is absent), prefixed with
// the task's name.
#include <string>

#include "schema/model.hpp"

namespace runner {

class spec_problems {
 public:
  spec_problems(const task_decl& task, const std::string& file, diagnostics& out)
      : task_(task), file_(file), out_(out) {}

  // `pointer`: the field as a JSON pointer into the spec ("/command/0"), "" for the spec.
  void report(const std::string& pointer, std::string message, std::string hint) {
    auto i = task_.spec_marks.find(pointer);
    auto mark = i != task_.spec_marks.end() ? i->second : task_.type_mark;
    out_.push_back({file_, mark, "task `" + task_.name + "`: " + std::move(message),
                    std::move(hint)});
  }

 private:
  const task_decl& task_;
  std::string file_;  // a copy: callers pass temporaries ("g.yaml")
  diagnostics& out_;
};

}  // namespace runner

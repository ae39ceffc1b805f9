#pragma once
// Lets an actor wait for the external drivers' handshakes without blocking a
// scheduler thread: it asks this actor, which answers once the drivers have
// said which task types they serve (external_drivers::learn), and goes on in
// the reply's handler.
#include <caf/all.hpp>

#include "drivers/external/external_drivers.hpp"

namespace runner {

using learn_atom = caf::atom_constant<caf::atom("learn")>;
using learned_atom = caf::atom_constant<caf::atom("learned")>;

// Replies to `learn_atom` with `learned_atom`. `drivers` must outlive it.
caf::actor spawn_type_learner(caf::actor_system& sys, ext::external_drivers& drivers);

// A catalog that notes whether validation asked for a type it does not know,
// i.e. whether learning the external drivers' types could change the verdict.
class type_probe : public task_type_catalog {
 public:
  explicit type_probe(const task_type_catalog& inner) : inner_(inner) {}
  bool has(const std::string& type) const override {
    bool known = inner_.has(type);
    missed_ = missed_ || !known;
    return known;
  }
  std::vector<std::string> names() const override { return inner_.names(); }
  std::string unknown_type_note() const override { return inner_.unknown_type_note(); }
  void check_spec(const task_decl& task, const std::string& file,
                  diagnostics& out) const override {
    inner_.check_spec(task, file, out);
  }
  bool missed() const { return missed_; }

 private:
  const task_type_catalog& inner_;
  mutable bool missed_ = false;
};

}  // namespace runner

#pragma once
// Reading a YAML document from disk for any of the runner's file formats (task
// groups, node configuration): a problem is a diagnostic, never an exception.
#include <optional>
#include <string>

#include "schema/diagnostic.hpp"

namespace runner {

// Fills `text` with the file's bytes, or returns what went wrong.
std::optional<diagnostic> read_document_file(const std::string& path, std::string& text);

}  // namespace runner

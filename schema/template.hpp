#pragma once
// `{{ .task.var }}` templates (SPEC.md §4). Scanning is separate from rendering
// so validation can report every bad template with its offset before anything runs.
// `${{ ... }}` (GitHub Actions' syntax) is not a template and is skipped.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace runner {

struct template_ref {
  std::string task;
  std::string variable;
  size_t begin = 0;  // offset of "{{"
  size_t end = 0;    // one past "}}"
};

struct template_error {
  size_t offset = 0;  // where the bad template starts
  std::string message;
  std::string hint;
};

struct template_scan {
  std::vector<template_ref> refs;
  std::vector<template_error> errors;
};

template_scan scan_templates(std::string_view text);

// Replaces every reference with lookup(task, variable). Precondition: the text
// scanned without errors and lookup knows every reference.
std::string render_templates(
    std::string_view text,
    const std::function<std::string(const std::string&, const std::string&)>& lookup);

}  // namespace runner

# Sourced by the scripts that run sanitized code (sanitize.sh, fuzz_run.sh,
# ci_checks.sh): what a report does and which third-party code it spares.
# A report halts the process with its stack (halt_on_error); suppressions
# (tools/sanitizers/) name third-party code only, each with its reason.
# Processes the runner forks (its spawner, a task's child before exec) end
# with _exit, which skips LeakSanitizer: only real exits are checked.
sanitizer_supp="$(cd "$(dirname "${BASH_SOURCE[0]}")/../sanitizers" && pwd)"
export ASAN_OPTIONS="halt_on_error=1:print_stacktrace=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$sanitizer_supp/ubsan.supp"
export LSAN_OPTIONS="suppressions=$sanitizer_supp/lsan.supp:print_suppressions=0"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$sanitizer_supp/tsan.supp:print_suppressions=0"

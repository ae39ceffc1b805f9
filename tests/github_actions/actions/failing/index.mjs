import * as core from '@actions/core';

core.setOutput('before', 'set-before-failing');
core.setFailed('the action failed on purpose');
// setFailed only sets process.exitCode: the action runs on to its end.
core.info('still running after setFailed');

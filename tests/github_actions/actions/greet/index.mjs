// A node20 action as found on GitHub: reads inputs, logs through the toolkit,
// sets a one-line and a multi-line output.
import * as core from '@actions/core';

const who = core.getInput('who-to-greet', { required: true });
const greeting = core.getInput('greeting');
const spaced = core.getInput('input with spaces');

core.startGroup('greet inputs');
core.info(`who-to-greet=${who}`);
core.info(`greeting=${greeting}`);
core.info(`input with spaces=${spaced}`);
core.info(`env INPUT_INPUT_WITH_SPACES=${process.env['INPUT_INPUT_WITH_SPACES']}`);
core.info(`env INPUT_WHO-TO-GREET=${process.env['INPUT_WHO-TO-GREET']}`);
core.info(`env INPUT_WHO_TO_GREET=${process.env['INPUT_WHO_TO_GREET'] ?? '(unset)'}`);
core.endGroup();

core.info(`cwd=${process.cwd()}`);
core.info(`GITHUB_WORKSPACE=${process.env.GITHUB_WORKSPACE}`);
core.info(`GITHUB_REPOSITORY=${process.env.GITHUB_REPOSITORY}`);
core.info(`GITHUB_SHA=${process.env.GITHUB_SHA}`);
core.info(`GITHUB_REF=${process.env.GITHUB_REF}`);
core.info(`GITHUB_ACTIONS=${process.env.GITHUB_ACTIONS} CI=${process.env.CI} RUNNER_OS=${process.env.RUNNER_OS}`);
core.info(`FOO=${process.env.FOO ?? '(unset)'}`);

core.debug('greet debug line');
core.notice('greet notice line');
core.warning('greet warning line');

const message = `${greeting}, ${who}!`;
core.info(message);
core.setOutput('message', message);
core.setOutput('letter', `Dear ${who},\n${greeting} from the greet action.\nYours, Runner`);

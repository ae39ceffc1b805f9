import * as core from '@actions/core';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const where = dirname(fileURLToPath(import.meta.url));
core.info(`hello-action GITHUB_ACTION_REPOSITORY=${process.env.GITHUB_ACTION_REPOSITORY}`);
core.info(`hello-action GITHUB_ACTION_REF=${process.env.GITHUB_ACTION_REF}`);
core.info(`hello-action GITHUB_ACTION_PATH=${process.env.GITHUB_ACTION_PATH}`);
core.setOutput('greeting', `hello ${core.getInput('who')} from the repository action`);
core.setOutput('where', where);

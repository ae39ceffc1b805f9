// Masks a secret, then leaks it every way an action might.
import * as core from '@actions/core';
import { readFileSync } from 'node:fs';

let secret = core.getInput('secret');
if (!secret) secret = readFileSync(core.getInput('secret-file', { required: true }), 'utf8').trim();

core.info('before the mask');
core.setSecret(secret);
core.info(`the secret is ${secret}`);
console.log(`stdout: ${secret}`);
console.error(`stderr: the secret is ${secret}`);
core.warning(`warning with ${secret}`);
core.setOutput('echoed', `prefix-${secret}`);
core.setOutput('plain', 'nothing to hide');

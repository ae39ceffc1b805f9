import * as core from '@actions/core';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

core.setOutput('greeting', 'hello from the sub directory');
core.setOutput('where', dirname(fileURLToPath(import.meta.url)));

import * as core from '@actions/core';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

appendFileSync(join(process.env.GITHUB_WORKSPACE, 'stateful-order.txt'), 'pre\n');
core.saveState('from-pre', 'pre-value-1');
core.info('stateful pre ran');

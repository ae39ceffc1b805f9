import * as core from '@actions/core';
import { appendFileSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';

const ws = process.env.GITHUB_WORKSPACE;
appendFileSync(join(ws, 'stateful-order.txt'), 'main\n');
const fromPre = core.getState('from-pre');
core.info(`stateful main sees from-pre=${fromPre}`);
core.saveState('from-main', 'main-value-2');
core.exportVariable('STATEFUL_VAR', 'exported-by-main');
const bin = join(ws, 'stateful-bin');
mkdirSync(bin, { recursive: true });
writeFileSync(join(bin, 'stateful-tool'), '#!/bin/sh\necho stateful-tool ran\n');
chmodSync(join(bin, 'stateful-tool'), 0o755);
core.addPath(bin);
core.setOutput('pre-state', fromPre);
if (core.getInput('fail-main') === 'true') core.setFailed('main failed after saving its state');

import * as core from '@actions/core';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ws = process.env.GITHUB_WORKSPACE;
appendFileSync(join(ws, 'stateful-order.txt'), 'post\n');
const report = {
  fromPre: core.getState('from-pre'),
  fromMain: core.getState('from-main'),
  statefulVar: process.env.STATEFUL_VAR ?? null,
  path: process.env.PATH ?? '',
  order: readFileSync(join(ws, 'stateful-order.txt'), 'utf8'),
};
writeFileSync(core.getInput('report', { required: true }), JSON.stringify(report));
core.info('stateful post ran');

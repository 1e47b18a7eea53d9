#!/usr/bin/env node
// The `mlops-gitops` command. It lives in the source, not in dist/, so npm links it at the first
// install, before the `prepare` script has built dist/ (a bin pointing into dist/ would not be linked).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write(
    'mlops-gitops: the plugin is not built yet (packages/gitops/dist is missing); run `npm run build` in the workspace, then try again.\n',
  );
  process.exit(2);
}
require(entry).run(process.argv.slice(2));

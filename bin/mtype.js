#!/usr/bin/env node
// The `mtype` command: the bundled CLI does the work.
require('../server/out/cli.js');

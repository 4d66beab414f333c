#!/usr/bin/env node
// The installed command: runs the built CLI (npm run build writes dist/).
import '../dist/cli/main.js';

#!/usr/bin/env node
// The `secrets` command of the npm package: runs the prebuilt binary from this platform's
// package (installed through optionalDependencies, chosen by npm or yarn from its os/cpu),
// with the arguments, stdin, stdout and stderr passed straight through, and its exit status
// (or the signal that ended it) as this process's own.
'use strict';

const { spawn } = require('node:child_process');
const path = require('node:path');

const main = require('../package.json');
const wanted = `${main.name}-${process.platform}-${process.arch}`;

let binary;
try {
  binary = path.join(path.dirname(require.resolve(`${wanted}/package.json`)), 'bin', 'secrets');
} catch {
  process.stderr.write(
    `error: ${main.name} has no binary here: the package ${wanted} is not installed\n` +
      `hint: reinstall without --no-optional / --omit=optional; builds exist for linux and ` +
      `darwin on x64 and arm64\n`,
  );
  process.exit(1);
}

// The package's name and version, for `secrets doctor`.
const env = { ...process.env, SECRETS_NPM_PACKAGE: `${main.name}@${main.version}` };
const child = spawn(binary, process.argv.slice(2), { stdio: 'inherit', env });
// Ctrl-C and Ctrl-\ reach the binary from the terminal itself; here they only must not end
// this process first. Signals sent to this process alone are passed on.
for (const signal of ['SIGINT', 'SIGQUIT']) process.on(signal, () => {});
for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('error', (err) => {
  process.stderr.write(`error: cannot run ${binary}: ${err.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else {
    process.exit(code);
  }
});

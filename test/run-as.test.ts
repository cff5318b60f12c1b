// `user:`/`group:` with the real binary and a real second user, created here
// (useradd, with a supplementary group) and removed after: the run gets the
// user's uid, gid and supplementary groups and HOME/USER/LOGNAME; `group:`
// replaces the primary group; validate refuses an unknown user or group, a
// script another user could change or the user cannot execute, and any
// `user:` when hookd is not root (checked by running hookd as that user).
// Needs root, useradd and setpriv: skipped with the reason otherwise, failed under CI=true.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { assertRefused } from './config-problems.ts';
import { BIN, cleanEnv, runHookd, tempDir, writeConfig, writeScript } from './helpers.ts';

const has = (binary: string): boolean => spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0;

function missing(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to create a second user and switch to it';
  for (const binary of ['useradd', 'userdel', 'groupadd', 'groupdel', 'setpriv', 'getent']) if (!has(binary)) return `${binary} is not installed`;
  return undefined;
}

const reason = missing();
if (reason !== undefined && process.env.CI === 'true') throw new Error(`run-as tests cannot run under CI: ${reason}`);
const skip = reason === undefined ? false : `skipped: ${reason}`;

// Short names: useradd allows 32 characters.
const suffix = `${process.pid}`.slice(-6);
const USER = `hookdu${suffix}`;
const EXTRA = `hookdx${suffix}`;
const OTHER_GROUP = `hookdg${suffix}`;
const HOME = `/nonexistent/${USER}`;

describe('user: and group:', { skip, concurrency: true }, () => {
  let uid = 0;
  let gid = 0;
  let extraGid = 0;
  let otherGid = 0;
  const remove = (): void => {
    spawnSync('userdel', [USER]);
    spawnSync('groupdel', [EXTRA]);
    spawnSync('groupdel', [OTHER_GROUP]);
  };
  before(() => {
    remove(); // left over by a run that was killed
    execFileSync('groupadd', [EXTRA]);
    execFileSync('groupadd', [OTHER_GROUP]);
    execFileSync('useradd', ['--no-create-home', '--home-dir', HOME, '--shell', '/usr/sbin/nologin', '--user-group', '--groups', EXTRA, USER]);
    const id = (flag: string, name = USER): number => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
    uid = id('-u');
    gid = id('-g');
    extraGid = Number(execFileSync('getent', ['group', EXTRA], { encoding: 'utf8' }).split(':')[2]);
    otherGid = Number(execFileSync('getent', ['group', OTHER_GROUP], { encoding: 'utf8' }).split(':')[2]);
  });
  after(remove);

  // A folder the user can enter, with a script that prints who it runs as.
  function setup(t: TestContext, hookLines: string): { dir: string; config: string } {
    const dir = tempDir(t);
    chmodSync(dir, 0o755);
    writeScript(dir, 'whoami.sh', 'echo "uid=$(id -u) gid=$(id -g) groups=$(id -G) home=$HOME user=$USER logname=$LOGNAME"');
    const config = writeConfig(dir, `state: false
hooks:
  - name: as-user
    on: t
    run: ./whoami.sh
${hookLines}
`);
    return { dir, config };
  }

  // The stdout line the hook printed, from hookd's JSON log.
  function printed(stdout: string): string {
    const entries = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const line = entries.find((entry) => entry.hook === 'as-user' && entry.stream === 'stdout');
    assert.ok(line, `no output of the hook in: ${stdout}`);
    return String(line.msg);
  }

  test('the run gets the user\'s uid, gid, supplementary groups and HOME, USER, LOGNAME', async (t) => {
    const { config } = setup(t, `    user: ${USER}`);
    const result = await runHookd(['-c', config], { input: '{"type":"t"}\n' });
    assert.equal(result.code, 0, result.stderr);
    const line = printed(result.stdout);
    assert.match(line, new RegExp(`^uid=${uid} gid=${gid} groups=(\\d+ ?)+ home=${HOME} user=${USER} logname=${USER}$`));
    const groups = line.replace(/^.*groups=([\d ]+) home.*$/, '$1').split(' ').map(Number).sort();
    assert.deepEqual(groups, [gid, extraGid].sort(), 'the supplementary group is missing or root\'s groups leaked');
  });

  test('group: (a name or an id) replaces the primary group; the user may be a uid', async (t) => {
    const { config } = setup(t, `    user: ${uid}\n    group: ${OTHER_GROUP}`);
    const result = await runHookd(['-c', config], { input: '{"type":"t"}\n' });
    assert.equal(result.code, 0, result.stderr);
    const line = printed(result.stdout);
    assert.match(line, new RegExp(`^uid=${uid} gid=${otherGid} `));
    assert.match(line, new RegExp(`user=${USER} `));
  });

  test('hookd test --dry-run shows the setpriv argv and the user\'s HOME, USER and LOGNAME', async (t) => {
    const { dir, config } = setup(t, `    user: ${USER}`);
    const result = await runHookd(['test', '--dry-run', '-c', config, '-'], { input: '{"type":"t","id":"x"}' });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`argv: +/\\S*setpriv --reuid=${uid} --regid=${gid} --init-groups -- ${dir}/whoami\\.sh\\n`));
    assert.match(result.stdout, new RegExp(`^      HOME=${HOME}$`, 'm'));
    assert.match(result.stdout, new RegExp(`^      USER=${USER}$`, 'm'));
  });

  test('validate refuses an unknown user or group, and group without user, with file, line and key', async (t) => {
    const { config } = setup(t, `    user: hookd-no-such-user
  - { name: b, on: t, run: ./whoami.sh, user: ${USER}, group: hookd-no-such-group }
  - { name: c, on: t, run: ./whoami.sh, group: ${EXTRA} }`);
    await assertRefused(config, [
      `${config}:6: hooks[0].user: no such user: hookd-no-such-user`,
      `${config}:7: hooks[1].group: no such group: hookd-no-such-group`,
      `${config}:8: hooks[2].group: set user too: group alone would still run the hook as root`,
    ]);
  });

  test('the script is checked from the user\'s point of view', async (t) => {
    const { dir, config } = setup(t, `    user: ${USER}
  - { name: theirs, on: t, run: ./theirs.sh, user: ${USER} }
  - { name: private, on: t, run: ./private.sh, user: ${USER} }
  - { name: shared, on: t, run: ./shared.sh, user: ${USER} }`);
    // Owned by another non-root user (nobody): they could change what the user runs.
    chownSync(writeScript(dir, 'theirs.sh', 'exit 0'), 65534, 65534);
    writeScript(dir, 'private.sh', 'exit 0', 0o700);
    const shared = writeScript(dir, 'shared.sh', 'exit 0', 0o775);
    chownSync(shared, 0, extraGid);
    const stderr = await assertRefused(config, [
      `${config}:7: hooks[1].run: refusing a script that uid 65534 (its owner) can change, for a hook run as ${USER}: ${dir}/theirs.sh (E_SCRIPT_PERM)`,
      `${config}:8: hooks[2].run: script is not executable by ${USER}: ${dir}/private.sh (E_SCRIPT_PERM)`,
      `${config}:9: hooks[3].run: refusing a script that group ${extraGid} can change, for a hook run as ${USER}: ${dir}/shared.sh (E_SCRIPT_PERM)`,
    ]);
    assert.ok(!stderr.includes('hooks[0]'), 'the root-owned 0755 script was refused');
  });

  test('when hookd is not root, user: is refused at validate', async (t) => {
    const { config } = setup(t, `    user: ${USER}`);
    // hookd itself run as the second user.
    const result = spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--init-groups', '--', process.execPath, BIN, 'validate', '-c', config], {
      encoding: 'utf8',
      env: cleanEnv({ HOME: '/tmp' }),
      cwd: path.dirname(config),
    });
    assert.equal(result.status, 78, result.stderr);
    assert.ok(result.stderr.includes(`${config}:6: hooks[0].user: hookd runs as uid ${uid}, not root: it cannot run a hook as another user`), result.stderr);
  });
});

/** Unit tests of config loading (src/config/load.ts, expand.ts, servers.ts). */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandEnv, formatPath } from '../../src/config/expand.js';
import { resolveSettings } from '../../src/cli/settings.js';
import { inputVariable } from '../../src/config/inputs.js';
import { parseJsonc } from '../../src/config/jsonc.js';
import { findConfigPath, loadConfig, missingInputs, parseConfig } from '../../src/config/load.js';
import { UserInputError } from '../../src/errors.js';

let dir: string;
let configPath: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-config-'));
  configPath = join(dir, 'switchboard.json');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** An environment whose user config folder does not exist: the real home is never read. */
const noUserConfig = { XDG_CONFIG_HOME: join(tmpdir(), 'switchboard-unit-no-config-home') };

const parse = (config: unknown, env: NodeJS.ProcessEnv = {}) => parseConfig(JSON.stringify(config, null, 2), configPath, env);

/** Runs `fn`, expects a UserInputError, returns it. */
function userError(fn: () => unknown): UserInputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserInputError);
    return error as UserInputError;
  }
  throw new Error('expected a UserInputError, nothing was thrown');
}

describe('parseConfig: server dialects', () => {
  it('reads a Claude Desktop mcpServers config', () => {
    const config = parse({
      mcpServers: {
        fs: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'], env: { DEBUG: '1' } },
        git: { command: 'uvx', args: ['mcp-server-git'] },
      },
    });
    expect(config.path).toBe(configPath);
    expect(config.isBundledDefault).toBe(false);
    expect(config.servers).toEqual([
      expect.objectContaining({ name: 'fs', transport: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'], env: { DEBUG: '1' } }),
      expect.objectContaining({ name: 'git', transport: 'stdio', command: 'uvx', args: ['mcp-server-git'], env: {} }),
    ]);
    expect(config.servers[0]!.cwd).toBeUndefined();
  });

  it('reads a VS Code servers config with type stdio', () => {
    const config = parse({ servers: { time: { type: 'stdio', command: 'uvx', args: ['mcp-server-time'] } }, inputs: [] });
    expect(config.servers).toEqual([expect.objectContaining({ name: 'time', transport: 'stdio', command: 'uvx', args: ['mcp-server-time'] })]);
  });

  it('merges both dialects', () => {
    const config = parse({
      mcpServers: { a: { command: 'node', args: ['/abs/a.js'] } },
      servers: { b: { type: 'stdio', command: 'node', args: ['/abs/b.js'] } },
    });
    expect(config.servers.map((s) => s.name)).toEqual(['a', 'b']);
  });

  it('reports a server name defined in both dialects', () => {
    const error = userError(() =>
      parse({
        mcpServers: { fs: { command: 'npx', args: ['x'] } },
        servers: { fs: { type: 'stdio', command: 'npx', args: ['y'] } },
      }),
    );
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/servers\.fs: .*fs/);
    expect(error.message).toContain('mcpServers.fs');
  });

  it('leaves disabled servers out', () => {
    const config = parse({ mcpServers: { on: { command: 'node', args: ['/x.js'] }, off: { command: 'node', args: ['/y.js'], disabled: true } } });
    expect(config.servers.map((s) => s.name)).toEqual(['on']);
  });

  it('turns a url server or a type http server into transport http', () => {
    const config = parse({
      mcpServers: { remote: { url: 'https://example.com/mcp' } },
      servers: { vsremote: { type: 'http', url: 'https://example.org/mcp' } },
    });
    expect(config.servers).toEqual([
      expect.objectContaining({ name: 'remote', transport: 'http', url: 'https://example.com/mcp' }),
      expect.objectContaining({ name: 'vsremote', transport: 'http', url: 'https://example.org/mcp' }),
    ]);
  });

  it('keeps a per-server timeout', () => {
    const config = parse({ mcpServers: { slow: { command: 'node', args: ['/s.js'], timeout: 90 } } });
    expect(config.servers[0]!.timeoutSeconds).toBe(90);
  });
});

describe('parseConfig: agent settings', () => {
  it('picks up the agent settings', () => {
    const settings = {
      model: 'moonshotai/Kimi-K2-Thinking',
      provider: 'together',
      endpointUrl: 'http://127.0.0.1:8080/v1',
      system: 'Be brief.',
      maxSteps: 7,
      toolTimeout: 12,
      modelTimeout: 60,
      retries: 2,
      maxToolOutputChars: 5000,
      startupTimeout: 20,
      maxContextTokens: 4096,
    };
    expect(parse({ ...settings, mcpServers: {} }).settings).toEqual(settings);
  });

  it('ignores unknown top-level keys', () => {
    const config = parse({ globalShortcut: 'Ctrl+Space', inputs: [{ id: 'x' }], theme: { dark: true }, mcpServers: { a: { command: 'node', args: [] } } });
    expect(config.servers.map((s) => s.name)).toEqual(['a']);
    expect(config.settings).toEqual({});
  });
});

describe('parseConfig: environment variables', () => {
  it('expands ${env:VAR} and ${VAR} in the fields that start servers and in endpointUrl, every occurrence; free text is taken as written', () => {
    const env = { TOKEN: 'secret', ROOT: '/data', MODEL: 'org/model', HOST: 'example.com' };
    const config = parse(
      {
        model: '${MODEL}',
        system: 'Root is ${env:ROOT}; again ${ROOT} and ${env:ROOT}.',
        endpointUrl: 'https://${HOST}/v1',
        mcpServers: {
          fs: {
            command: 'npx',
            args: ['-y', 'server', '${env:ROOT}/a', '${ROOT}/b:${ROOT}/c'],
            env: { TOKEN: '${env:TOKEN}', AUTH: 'Bearer ${TOKEN}' },
            cwd: '${ROOT}',
          },
          remote: { url: 'https://${HOST}/mcp?k=${TOKEN}' },
        },
      },
      env,
    );
    expect(config.settings.model).toBe('${MODEL}');
    expect(config.settings.system).toBe('Root is ${env:ROOT}; again ${ROOT} and ${env:ROOT}.');
    expect(config.settings.endpointUrl).toBe('https://example.com/v1');
    // Every expanded value and every env value is listed for masking; free text adds none.
    expect(new Set(config.secrets)).toEqual(new Set(['secret', '/data', 'example.com', 'Bearer secret']));
    const fs = config.servers.find((s) => s.name === 'fs')!;
    expect(fs.args).toEqual(['-y', 'server', '/data/a', '/data/b:/data/c']);
    expect(fs.env).toEqual({ TOKEN: 'secret', AUTH: 'Bearer secret' });
    expect(fs.cwd).toBe(resolve('/data'));
    expect(config.servers.find((s) => s.name === 'remote')!.url).toBe('https://example.com/mcp?k=secret');
  });

  it('reports a missing variable naming the variable and the field', () => {
    const error = userError(() => parse({ mcpServers: { fs: { command: 'npx', args: [], env: { TOKEN: '${env:GITHUB_TOKEN}' } } } }, {}));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('GITHUB_TOKEN');
    expect(error.message).toContain('mcpServers.fs.env.TOKEN');
    expect(error.message).toMatch(/mcpServers\.fs\.env\.TOKEN: .*GITHUB_TOKEN/);
  });

  it('reports every missing variable, with array indexes in paths', () => {
    const error = userError(() => parse({ mcpServers: { fs: { command: 'npx', args: ['ok', '${ONE}'], cwd: '${TWO}' } } }, {}));
    expect(error.message).toMatch(/mcpServers\.fs\.args\[1\]: .*ONE/);
    expect(error.message).toMatch(/mcpServers\.fs\.cwd: .*TWO/);
  });

  it('leaves text that only looks like a placeholder alone', () => {
    const config = parse({ system: 'cost: $5, ${ not a var }, $HOME' }, {});
    expect(config.settings.system).toBe('cost: $5, ${ not a var }, $HOME');
  });
});

describe('parseConfig: problems', () => {
  it('reports several problems together, each as path.to.field: message', () => {
    const error = userError(() =>
      parse({
        maxSteps: 'ten',
        mcpServers: { broken: { args: ['x'] }, fine: { command: 'node', args: [] } },
      }),
    );
    expect(error.code).toBe('CONFIG_INVALID');
    // One problem per line, each as `  - path.to.field: message`.
    expect(error.message).toMatch(/^\s*- maxSteps: .+$/m);
    expect(error.message).toMatch(/^\s*- mcpServers\.broken\.command: .+$/m);
  });

  it('reports two schema problems in one error', () => {
    const error = userError(() => parse({ maxSteps: 0, endpointUrl: 'not a url', mcpServers: { a: { command: 'node', args: 'server.js' } } }));
    expect(error.message).toMatch(/maxSteps: /);
    expect(error.message).toMatch(/endpointUrl: /);
    expect(error.message).toMatch(/mcpServers\.a\.args: /);
  });

  it('reports a stdio server without a command', () => {
    const error = userError(() => parse({ mcpServers: { nocmd: { args: ['server.js'] } } }));
    expect(error.message).toMatch(/mcpServers\.nocmd\.command: /);
  });

  it('gives the line and column of a JSON syntax error', () => {
    // The missing comma: the parser stops at `"b"` on line 3, column 5.
    const text = '{\n  "a": 1\n    "b": 2\n}\n';
    const error = userError(() => parseConfig(text, configPath, {}));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(configPath);
    expect(error.message).toMatch(/line 3, column 5/);
  });

  it('reads JSONC as VS Code writes it: comments and trailing commas', () => {
    const text = '{\n  // the model\n  "maxSteps": 3, /* three */\n  "mcpServers": { "a": { "command": "node", "args": ["/a.js",], }, },\n}';
    const config = parseConfig(text, configPath, {});
    expect(config.settings.maxSteps).toBe(3);
    expect(config.servers.map((s) => s.args)).toEqual([['/a.js']]);
  });
});

describe('parseConfig: more JSON syntax errors and disabled servers', () => {
  it.each([
    ['a missing value', '{\n  "a": \n}', 3, 1],
    ['an unquoted key', '{\n  model: "x"\n}', 2, 3],
    ['an unterminated string', '{\n  "a": "oops\n}', 2, 8],
    ['trailing text', '{}\n{}', 2, 1],
  ])('locates %s', (_what, text, line, column) => {
    const error = userError(() => parseConfig(text, configPath, {}));
    expect(error.message).toContain(`line ${line}, column ${column}`);
    // The message quotes what was found, never the whole file.
    expect(error.message.length).toBeLessThan(300);
  });

  it('does not expand variables of a disabled server (it is often disabled for lack of its token)', () => {
    const config = parse({
      mcpServers: {
        on: { command: 'node', args: ['a.js'] },
        off: { command: 'npx', env: { TOKEN: '${env:NOT_SET_ANYWHERE}' }, disabled: true },
      },
    });
    expect(config.servers.map((s) => s.name)).toEqual(['on']);
  });
});

describe('parseConfig: paths', () => {
  it('resolves a relative cwd and ./ or ../ args against the config file folder', () => {
    const config = parse({ mcpServers: { s: { command: 'node', args: ['./server/main.js', '../shared/tool.py'], cwd: 'work' } } });
    const s = config.servers[0]!;
    expect(s.cwd).toBe(join(dir, 'work'));
    expect(s.args).toEqual([join(dir, 'server', 'main.js'), resolve(dir, '..', 'shared', 'tool.py')]);
  });

  it('resolves a ./ command against the config file folder', () => {
    const config = parse({ mcpServers: { s: { command: './bin/server', args: [] } } });
    expect(config.servers[0]!.command).toBe(join(dir, 'bin', 'server'));
  });

  it('resolves a bare script argument only when the file exists next to the config', () => {
    writeFileSync(join(dir, 'present.js'), '');
    const config = parse({ mcpServers: { s: { command: 'node', args: ['present.js', 'absent.js'] } } });
    expect(config.servers[0]!.args).toEqual([join(dir, 'present.js'), 'absent.js']);
  });

  it('leaves flags, package names and absolute paths untouched', () => {
    const args = ['-y', '--port=3000', '@modelcontextprotocol/server-filesystem', 'mcp-server-git', '/abs/path/server.js'];
    const config = parse({ mcpServers: { s: { command: 'npx', args } } });
    expect(config.servers[0]!.args).toEqual(args);
    expect(config.servers[0]!.command).toBe('npx');
  });
});

describe('findConfigPath and loadConfig', () => {
  it('throws a UserInputError for an explicit path that does not exist', () => {
    const error = userError(() => findConfigPath('missing.json', dir));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(join(dir, 'missing.json'));
  });

  it('uses an explicit path relative to the working directory', () => {
    const sub = mkdtempSync(join(dir, 'explicit-'));
    writeFileSync(join(sub, 'mine.json'), '{}');
    expect(findConfigPath('mine.json', sub)).toEqual({ path: join(sub, 'mine.json'), origin: 'explicit', isBundledDefault: false });
  });

  it('prefers ./switchboard.json over the bundled default', () => {
    const sub = mkdtempSync(join(dir, 'local-'));
    writeFileSync(join(sub, 'switchboard.json'), JSON.stringify({ mcpServers: { mine: { command: 'node', args: ['./mine.js'] } } }));
    expect(findConfigPath(undefined, sub, noUserConfig)).toEqual({ path: join(sub, 'switchboard.json'), origin: 'project', isBundledDefault: false });
    const loaded = loadConfig({ cwd: sub, env: noUserConfig });
    expect(loaded.servers.map((s) => s.name)).toEqual(['mine']);
    expect(loaded.servers[0]!.args).toEqual([join(sub, 'mine.js')]);
  });

  it('prefers ./switchboard.json over the user-level config, and the user-level config over the bundled default', () => {
    const xdg = mkdtempSync(join(dir, 'xdg-'));
    mkdirSync(join(xdg, 'switchboard'));
    const userConfig = join(xdg, 'switchboard', 'config.json');
    writeFileSync(userConfig, '{}');
    const env = { XDG_CONFIG_HOME: xdg };
    const project = mkdtempSync(join(dir, 'project-'));
    writeFileSync(join(project, 'switchboard.json'), '{}');
    expect(findConfigPath(undefined, project, env)).toMatchObject({ path: join(project, 'switchboard.json'), origin: 'project' });
    expect(findConfigPath(undefined, mkdtempSync(join(dir, 'none-')), env)).toEqual({ path: userConfig, origin: 'user', isBundledDefault: false });
    // A relative XDG_CONFIG_HOME is invalid (XDG spec): ~/.config is used instead.
    expect(findConfigPath(undefined, project, { XDG_CONFIG_HOME: 'relative', HOME: xdg }).origin).toBe('project');
  });

  it('falls back to the bundled config/default.json', () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    const found = findConfigPath(undefined, empty, noUserConfig);
    expect(found.isBundledDefault).toBe(true);
    expect(found.origin).toBe('bundled');
    expect(found.path).toBe(fileURLToPath(new URL('../../config/default.json', import.meta.url)));
    expect(existsSync(found.path)).toBe(true);
    const loaded = loadConfig({ cwd: empty, env: noUserConfig });
    expect(loaded.isBundledDefault).toBe(true);
    expect(loaded.servers.map((s) => s.name)).toEqual(['temperature']);
  });
});

describe('expandEnv and formatPath', () => {
  it('does not expand keys, only values', () => {
    const { value, problems } = expandEnv({ '${A}': '${A}' }, { A: 'x' });
    expect(value).toEqual({ '${A}': 'x' });
    expect(problems).toEqual([]);
  });

  it('leaves non-string values alone', () => {
    const { value } = expandEnv({ n: 3, b: true, z: null, list: [1, '${A}'] }, { A: 'a' });
    expect(value).toEqual({ n: 3, b: true, z: null, list: [1, 'a'] });
  });

  it('formats paths with dots and array indexes', () => {
    expect(formatPath(['mcpServers', 'fs', 'args', 0])).toBe('mcpServers.fs.args[0]');
    expect(formatPath([])).toBe('(top level)');
  });
});

describe('review fixes: ${workspaceFolder}, BOM, unknown keys, scripted model path', () => {
  it('expands ${workspaceFolder} to the config file\'s folder, in the server fields (not in free text)', () => {
    const config = parse(
      {
        system: 'Files live in ${workspaceFolder}.',
        servers: {
          local: {
            type: 'stdio',
            command: 'node',
            args: ['${workspaceFolder}/server.js', '--root=${workspaceFolder}'],
            cwd: '${workspaceFolder}/work',
            env: { ROOT: '${workspaceFolder}' },
          },
        },
      },
      {},
    );
    expect(config.settings.system).toBe('Files live in ${workspaceFolder}.');
    // ${workspaceFolder} is a path, not a secret; the env value is listed because every env value is.
    expect(config.secrets).toEqual([dir]);
    const local = config.servers.find((s) => s.name === 'local')!;
    expect(local.args).toEqual([join(dir, 'server.js'), `--root=${dir}`]);
    expect(local.cwd).toBe(join(dir, 'work'));
    expect(local.env).toEqual({ ROOT: dir });
  });

  it('${workspaceFolder} is the config file\'s folder even when the environment has a variable of that name', () => {
    const config = parse({ mcpServers: { a: { command: 'node', args: ['${workspaceFolder}/a.js'] } } }, { workspaceFolder: '/somewhere/else' });
    expect(config.servers[0]!.args).toEqual([join(dir, 'a.js')]);
  });

  it('accepts a UTF-8 byte order mark at the start of the file', () => {
    const sub = mkdtempSync(join(dir, 'bom-'));
    const path = join(sub, 'switchboard.json');
    const json = JSON.stringify({ maxSteps: 4, mcpServers: { a: { command: 'node', args: ['/abs/a.js'] } } }, null, 2);
    writeFileSync(path, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json, 'utf8')]));
    const loaded = loadConfig({ configPath: path, cwd: sub, env: {} });
    expect(loaded.servers.map((s) => s.name)).toEqual(['a']);
    expect(loaded.settings.maxSteps).toBe(4);
    // The same through parseConfig, with the BOM as the decoded character.
    expect(parseConfig(`\uFEFF${json}`, path, {}).servers.map((s) => s.name)).toEqual(['a']);
  });

  it('a BOM does not hide a real syntax error, which is still located by line and column', () => {
    const error = userError(() => parseConfig('\uFEFF{\n  "mcpServers": {,}\n}', configPath, {}));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/line 2/);
  });

  it('does not expand an unknown top-level key: an unset ${VAR} there does not fail the load', () => {
    const config = parse(
      {
        inputs: '${NOPE}',
        otherHost: { token: '${env:ALSO_UNSET}', list: ['${NOPE}'] },
        mcpServers: { a: { command: 'node', args: ['/abs/a.js'] } },
      },
      {},
    );
    expect(config.servers.map((s) => s.name)).toEqual(['a']);
    expect(config.settings).toEqual({});
  });

  it('still reports an unset variable in a key Switchboard reads', () => {
    const error = userError(() => parse({ inputs: '${NOPE}', endpointUrl: '${NOPE}', mcpServers: {} }, {}));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/endpointUrl: .*NOPE/);
    expect(error.message).not.toMatch(/inputs/);
  });

  it('resolves a "scripted:PATH" model from the config file against the config file\'s folder', () => {
    const settings = resolveSettings({}, parse({ model: 'scripted:demo.json' }));
    expect(settings.model).toBe(`scripted:${join(dir, 'demo.json')}`);
    expect(resolveSettings({}, parse({ model: 'scripted:../scripts/demo.json' })).model).toBe(`scripted:${resolve(dir, '../scripts/demo.json')}`);
    expect(resolveSettings({}, parse({ model: 'scripted:/abs/demo.json' })).model).toBe('scripted:/abs/demo.json');
  });

  it('leaves a --model flag and a model that is not scripted as they are', () => {
    const config = parse({ model: 'scripted:demo.json' });
    // A flag is relative to the working directory, not the config file: left for the model factory.
    expect(resolveSettings({ model: 'scripted:flag.json' }, config).model).toBe('scripted:flag.json');
    expect(resolveSettings({}, parse({ model: 'org/model' })).model).toBe('org/model');
    expect(resolveSettings({}, parse({})).model).toBe('moonshotai/Kimi-K2-Thinking');
  });
});

describe('issue 7: keys, VS Code variables, envFile, shared value rules', () => {
  it('neither expands nor validates unknown keys inside a server entry', () => {
    const config = parse({ mcpServers: { t: { command: 'node', args: ['/t.js'], notes: '${UNSET_NOTES}', autoApprove: 7 } } }, {});
    expect(config.servers.map((s) => s.name)).toEqual(['t']);
  });

  it('warns about an unknown key close to a known one, and not about other hosts\' keys', () => {
    const config = parse({ modle: 'x', inputs: [], globalShortcut: 'a', mcpServers: { t: { comand: 'node', command: 'node', arg: ['x'], dev: {} } } });
    expect(config.warnings).toEqual([
      'modle: not a key Switchboard reads, ignored; did you mean "model"?',
      'mcpServers.t.arg: not a key Switchboard reads, ignored; did you mean "args"?',
    ]);
  });

  it('${userHome} is the home folder, not an environment variable', () => {
    const config = parse({ mcpServers: { t: { command: 'node', args: ['${userHome}/x'] } } }, { userHome: '/elsewhere' });
    expect(config.servers[0]!.args).toEqual([join(homedir(), 'x')]);
  });

  it('${input:ID} comes from SWITCHBOARD_INPUT_<ID>, or from given values; without either it names the variable', () => {
    expect(inputVariable('api-key')).toBe('SWITCHBOARD_INPUT_API_KEY');
    expect(inputVariable('github.token')).toBe('SWITCHBOARD_INPUT_GITHUB_TOKEN');
    const file = { mcpServers: { t: { command: 'node', env: { K: '${input:api-key}' } } } };
    expect(parse(file, { SWITCHBOARD_INPUT_API_KEY: 'from-env' }).servers[0]!.env).toEqual({ K: 'from-env' });
    expect(parseConfig(JSON.stringify(file), configPath, {}, false, { 'api-key': 'asked' }).servers[0]!.env).toEqual({ K: 'asked' });
    expect(userError(() => parse(file, {})).message).toMatch(/mcpServers\.t\.env\.K: \$\{input:api-key\} has no value \(set SWITCHBOARD_INPUT_API_KEY=/);
  });

  it('lists the inputs to ask for, with their declaration', () => {
    const text = JSON.stringify({
      inputs: [{ id: 'key', type: 'promptString', description: 'The key', password: true }],
      mcpServers: { t: { command: 'node', env: { A: '${input:key}', B: '${input:other}', C: '${input:key}' } }, off: { command: 'x', env: { D: '${input:off}' }, disabled: true } },
    });
    expect(missingInputs(text, configPath, {})).toEqual([
      { id: 'key', variable: 'SWITCHBOARD_INPUT_KEY', description: 'The key', password: true },
      { id: 'other', variable: 'SWITCHBOARD_INPUT_OTHER', password: false },
    ]);
    expect(missingInputs(text, configPath, { SWITCHBOARD_INPUT_KEY: 'k', SWITCHBOARD_INPUT_OTHER: 'o' })).toEqual([]);
  });

  it('reads envFile relative to the config folder; the entry\'s env wins; a missing file is a problem', () => {
    writeFileSync(join(dir, 'server.env'), '# comment\nA=from-file\nB="quoted value"\n');
    const config = parse({ mcpServers: { t: { command: 'node', envFile: 'server.env', env: { A: 'own' } } } });
    expect(config.servers[0]!.env).toEqual({ A: 'own', B: 'quoted value' });
    expect(userError(() => parse({ mcpServers: { t: { command: 'node', envFile: 'nope.env' } } })).message).toMatch(/mcpServers\.t\.envFile: cannot read .*nope\.env/);
  });

  it('bounds durations, saying the unit; rejects endpointUrl that is not http(s)', () => {
    const error = userError(() => parse({ toolTimeout: 3_600_000, startupTimeout: 0, mcpServers: { t: { command: 'node', timeout: 100_000 } } }));
    expect(error.message).toMatch(/toolTimeout: must be a number of seconds from 0\.001 to 86400/);
    expect(error.message).toMatch(/startupTimeout: must be a number of seconds/);
    expect(error.message).toMatch(/mcpServers\.t\.timeout: must be a number of seconds/);
    for (const endpointUrl of ['localhost:8080/v1', 'ftp://host/v1', 'file:///tmp/x']) {
      expect(userError(() => parse({ endpointUrl })).message).toMatch(/endpointUrl: must be an http\(s\) URL/);
    }
    expect(parse({ toolTimeout: 86_400, endpointUrl: 'https://x.example/v1' }).settings.toolTimeout).toBe(86_400);
  });
});

describe('JSONC: a "__proto__" key', () => {
  it('never sets a prototype, with comments or without (a hidden permission rule cannot ride on it)', () => {
    const rules = '"permissions": {"__proto__": {"allow": ["*"]}}';
    for (const text of [`{ ${rules} }`, `{\n  // with a comment and a trailing comma\n  ${rules},\n}`]) {
      const value = parseJsonc(text, 'x.json') as { permissions: Record<string, unknown> };
      expect(Object.getPrototypeOf(value.permissions), text).toBe(Object.prototype);
      expect(value.permissions.allow, text).toBeUndefined();
    }
  });
});

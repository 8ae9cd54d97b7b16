/**
 * `switchboard doctor [--json] [--model-check]`: starts every configured server and reports
 * what it found (see doctor/report.ts for the contract), then checks the model. Exit 0 when
 * all is well, 1 when anything failed; a server that fails does not stop the others.
 *
 * Unlike other commands it does not stop at the first config problem it can live with:
 * - a variable without a value is reported with its server (which is not started), and the
 *   other servers are checked;
 * - an untrusted project config (./switchboard.json) is never run and never asked about:
 *   doctor says what it would run and how to trust it.
 * A config that does not parse or validate is still a usage error (exit 2), as everywhere.
 */
import { assertNotWritableByOthers } from '../config/file-mode.js';
import { parseConfig, readConfigSource, type UnsetVariable } from '../config/load.js';
import { summarizeConfig } from '../config/summary.js';
import { checkModel } from '../doctor/model-check.js';
import { inspectServer, unsetOf, unsetReport } from '../doctor/inspect.js';
import type { DoctorReport, ServerReport } from '../doctor/report.js';
import { untilAborted } from '../abort.js';
import { ToolHub } from '../mcp/hub.js';
import type { ServerStartError } from '../mcp/server-errors.js';
import { runRedactor } from '../policy/secrets.js';
import { trustState } from '../policy/trust.js';
import { configNotice } from '../ui/config-notice.js';
import { formatDoctorReport } from '../ui/doctor-report.js';
import { styleFor } from '../ui/style.js';
import { keyVariableFor } from '../config/api-key.js';
import { createModel } from './model-factory.js';
import { resolveSettings, type GlobalFlags } from './settings.js';

export interface DoctorFlags extends GlobalFlags {
  json?: boolean;
  modelCheck?: boolean;
}

export async function doctorCommand(flags: DoctorFlags, signal: AbortSignal): Promise<number> {
  const source = readConfigSource({ configPath: flags.config });
  assertNotWritableByOthers(source.path, { project: source.origin === 'project' });
  const trusted = source.origin !== 'project' || trustState(source.path, source.text, process.env) === 'trusted';
  const unset: UnsetVariable[] = [];
  const config = parseConfig(source.text, source.path, process.env, source.isBundledDefault, {}, source.origin, unset);
  for (const secret of config.secrets) runRedactor.add(secret);
  const redact = (text: string) => runRedactor.redact(text);
  const settings = resolveSettings(flags, config);
  // Named before any server starts, as every run does (stderr: `--json` stdout stays one document).
  process.stderr.write(`${styleFor(process.stderr).dim(configNotice(config))}\n`);

  const servers: ServerReport[] = [];
  if (trusted) {
    const startable = config.servers.filter((spec) => unsetOf(spec, unset).length === 0);
    const skipped = new Map<string, Array<{ tool: string; reason: string }>>();
    const notices = new Map<string, string[]>();
    const push = <T>(map: Map<string, T[]>, key: string, value: T) => map.set(key, [...(map.get(key) ?? []), value]);
    const hub = new ToolHub(startable, {
      startupTimeoutMs: settings.startupTimeoutMs,
      toolTimeoutMs: settings.toolTimeoutMs,
      maxToolOutputChars: settings.maxToolOutputChars,
      logLevel: settings.logLevel,
      observer: {
        notice: (server, message) => push(notices, server, message),
        toolSkipped: (server, tool, reason) => push(skipped, server, { tool, reason }),
      },
    });
    try {
      const started = await untilAborted(hub.start(), signal);
      const failures = new Map<string, ServerStartError>(started.failed.map((failure) => [failure.server, failure]));
      const context = { hub, startupTimeoutMs: settings.startupTimeoutMs, failures, skipped, notices, redact };
      // In config order, the servers that were not started among them.
      const inspected = new Map(await untilAborted(Promise.all(hub.connections.map(async (c) => [c.name, await inspectServer(c, context)] as const)), signal));
      for (const spec of config.servers) servers.push(inspected.get(spec.name) ?? unsetReport(spec, unsetOf(spec, unset), redact));
    } finally {
      await hub.close();
    }
  }

  // Unset variables outside server entries (endpointUrl) are the model's problem.
  const modelUnset = unset.filter((u) => !u.path.startsWith('mcpServers.') && !u.path.startsWith('servers.'));
  const endpointUrl = settings.endpointUrl;
  const keyVariable = keyVariableFor(endpointUrl, settings.apiKeyEnv);
  const model = modelUnset.length > 0
    ? { ok: false, model: settings.model, requestSent: false, problem: modelUnset.map((u) => u.message).join('\n') }
    : await checkModel({
        model: settings.model,
        ...(endpointUrl ? { endpointUrl } : {}),
        // Named only when a key is there to send (never its value).
        ...(!settings.model.startsWith('scripted:') && process.env[keyVariable] ? { keyVariable } : {}),
        create: () => createModel(settings, process.env, process.cwd()),
        send: flags.modelCheck === true,
        signal,
        redact,
      });

  const report: DoctorReport = {
    v: 1,
    ok: trusted && servers.every((s) => s.ok) && model.ok,
    config: {
      path: config.path,
      origin: config.origin,
      trusted,
      ...(trusted ? {} : { wouldRun: summarizeConfig(source.text, source.path) }),
      warnings: config.warnings.map(redact),
    },
    servers,
    model,
  };
  process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatDoctorReport(report, styleFor(process.stdout))}\n`);
  return report.ok ? 0 : 1;
}

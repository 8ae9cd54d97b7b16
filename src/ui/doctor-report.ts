/**
 * `switchboard doctor` as text: one block per server, then the model, then a verdict.
 * Names, versions, messages and tool names come from servers (or echo them): every one goes
 * through `terminalSafe` (single line), so a hostile server cannot drive the terminal.
 */
import { TOKEN_BUDGET, type DoctorReport, type ModelReport, type ServerReport } from '../doctor/report.js';
import { formatFilteredTools } from './filtered-tools.js';
import { terminalSafe } from './sanitize.js';
import type { Style } from './style.js';

const safe = (text: string): string => terminalSafe(text, { singleLine: true });

export function formatDoctorReport(report: DoctorReport, style: Style): string {
  const out: string[] = [];
  const { config } = report;
  out.push(style.bold(`config: ${safe(config.path)} (${config.origin}${config.trusted ? '' : ', NOT TRUSTED'})`));
  for (const warning of config.warnings) out.push(style.yellow(`  ! ${safe(warning)}`));
  if (!config.trusted) {
    out.push(style.red('  ✗ this project config is not trusted, so doctor started none of its servers. It would run:'));
    for (const line of config.wouldRun ?? []) out.push(`      ${safe(line)}`);
    out.push(`    Read it, then: switchboard trust ${safe(config.path)}   (or: switchboard doctor --config ${safe(config.path)})`);
  }
  for (const server of report.servers) out.push('', ...serverLines(server, style));
  out.push('', ...modelLines(report.model, style), '');
  const failed = report.servers.filter((s) => !s.ok).length + (report.model.ok ? 0 : 1) + (config.trusted ? 0 : 1);
  out.push(report.ok ? style.bold('✓ all checks passed') : style.red(style.bold(`✗ ${failed} check${failed === 1 ? '' : 's'} failed`)));
  return out.join('\n');
}

function serverLines(server: ServerReport, style: Style): string[] {
  const out: string[] = [];
  const mark = server.ok ? '✓' : '✗';
  const head = `${mark} server ${safe(server.name)}: ${server.status.replace('_', ' ')}`;
  out.push(server.ok ? style.bold(head) : style.red(style.bold(head)));
  out.push(`    transport: ${server.transport}   ${server.command !== undefined ? `command: ${safe(server.command)}` : `url: ${safe(server.url ?? '(none)')}`}`);
  if (server.auth) out.push(`    auth: ${safe(server.auth)}`);
  if (server.problem) for (const line of server.problem.split('\n')) out.push(style.red(`    ${safe(line)}`));
  for (const unset of server.unsetVariables) out.push(style.red(`    unset: ${safe(unset.message)}`));
  if (server.status === 'ready') {
    const info = server.serverInfo ? `${safe(server.serverInfo.name)} ${safe(server.serverInfo.version)}` : '(no serverInfo)';
    const init = server.initMs !== undefined ? `initialized in ${server.initMs} ms${server.slow ? style.yellow(' (slow: over half of startupTimeout)') : ''}` : '';
    out.push(`    ${info}, protocol ${safe(server.protocolVersion ?? '?')}, ${init}`);
    out.push(`    capabilities: ${server.capabilities.map(safe).join(', ') || '(none)'}`);
    const { tools, resources, resourceTemplates, prompts } = server.counts;
    const filtered = server.filtered.length > 0 ? ` (${server.filtered.length} filtered out by config)` : '';
    out.push(`    tools: ${tools}${filtered}   resources: ${resources ?? '-'}   resource templates: ${resourceTemplates ?? '-'}   prompts: ${prompts ?? '-'}`);
    const tokens = `    tool schemas: ~${server.schemaTokens} tokens per model request`;
    out.push(server.overTokenBudget ? style.yellow(`${tokens} (over ${TOKEN_BUDGET}: keep only the tools you need)`) : tokens);
  }
  for (const r of server.renamed) out.push(style.yellow(`    renamed: ${safe(r.tool)} -> ${safe(r.exposedName)} (${safe(r.reason)})`));
  for (const l of server.leftOut) out.push(style.yellow(`    left out: ${safe(l.tool)}: ${safe(l.reason)}`));
  // The same line `tools` prints under its table, for this server's tools.
  const filteredLine = formatFilteredTools(server.filtered.map((tool) => ({ server: server.name, tool })), style);
  if (filteredLine) out.push(`    ${filteredLine}`);
  for (const h of server.hidden) out.push(style.yellow(`    warning: ${safe(h.tool)}: ${safe(h.warning)}`));
  for (const s of server.smells) out.push(style.yellow(`    schema: ${safe(s.tool)} ${safe(s.smell)}`));
  for (const notice of server.notices) out.push(style.yellow(`    ! ${safe(notice)}`));
  return out;
}

function modelLines(model: ModelReport, style: Style): string[] {
  const head = `${model.ok ? '✓' : '✗'} model ${safe(model.model)}${model.endpointUrl ? ` at ${safe(model.endpointUrl)}` : ''}`;
  const out = [model.ok ? style.bold(head) : style.red(style.bold(head))];
  if (model.keyVariable) out.push(`    key from: ${model.keyVariable}`);
  if (model.detail) out.push(`    ${safe(model.detail)}`);
  if (model.problem) for (const line of model.problem.split('\n')) out.push(style.red(`    ${safe(line)}`));
  return out;
}

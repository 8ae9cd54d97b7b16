/**
 * Renders agent events for a person: progress (tool calls, results, retries,
 * notices) on stderr; the answer on stdout.
 *
 * When stdout is a terminal, text streams there as it arrives. When stdout is piped,
 * only the final answer is written to it, so `answer=$(switchboard chat "...")`
 * captures the answer and nothing else.
 */
import type { AgentEvent } from '../agent/events.js';
import { oneLine, styleFor, type Style } from './style.js';

export interface TerminalRendererOptions {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Show reasoning deltas (dimmed, on stderr). */
  verbose: boolean;
}

export class TerminalRenderer {
  private readonly err: Style;
  private readonly streamText: boolean;
  /** Text streamed to stdout since the last newline, so progress lines start on a fresh line. */
  private openLine = false;
  private reasoningOpen = false;

  constructor(private readonly options: TerminalRendererOptions) {
    this.err = styleFor(options.stderr);
    this.streamText = Boolean(options.stdout.isTTY);
  }

  render(event: AgentEvent): void {
    const { stdout } = this.options;
    switch (event.type) {
      case 'model_request':
        if (event.step > 1 && this.options.verbose) this.progress(this.err.dim(`· model call ${event.step}/${event.maxSteps}`));
        return;
      case 'reasoning_delta':
        if (!this.options.verbose) return;
        if (!this.reasoningOpen) this.options.stderr.write(this.err.dim('thinking: '));
        this.reasoningOpen = true;
        this.options.stderr.write(this.err.dim(event.text));
        return;
      case 'text_delta':
        this.closeReasoning();
        if (!this.streamText) return;
        stdout.write(event.text);
        this.openLine = !event.text.endsWith('\n');
        return;
      case 'model_retry':
        this.progress(this.err.yellow(`↻ model request failed (${event.reason}); retry ${event.attempt} in ${(event.delayMs / 1000).toFixed(1)} s`));
        return;
      case 'tool_call': {
        const owner = event.server ? this.err.dim(` [${event.server}${event.originalName && event.originalName !== event.name ? `:${event.originalName}` : ''}]`) : '';
        const args = typeof event.arguments === 'string' ? event.arguments : JSON.stringify(event.arguments);
        this.progress(`${this.err.cyan('→')} ${event.name}${owner} ${this.err.dim(oneLine(args, 200))}`);
        return;
      }
      case 'tool_result': {
        const mark = event.isError ? this.err.red('✗') : this.err.cyan('←');
        this.progress(`${mark} ${event.name} ${this.err.dim(`(${event.durationMs} ms)`)} ${oneLine(event.text)}`);
        return;
      }
      case 'history_trimmed':
        this.progress(this.err.yellow(`✂ history trimmed: dropped the ${event.droppedMessages} oldest messages to stay under ${event.budgetTokens} tokens (now ~${event.estimatedTokens})`));
        return;
      case 'notice':
        this.progress(this.err.yellow(`! ${event.message}`));
        return;
      case 'final':
        this.closeReasoning();
        if (this.streamText) {
          if (this.openLine) stdout.write('\n');
        } else {
          stdout.write(event.text.endsWith('\n') ? event.text : `${event.text}\n`);
        }
        this.openLine = false;
        return;
      case 'stopped':
        this.progress(this.err.yellow(`■ ${event.message}`));
        return;
    }
  }

  /** A host-level message (server failures, crashes) on stderr. */
  notice(message: string): void {
    this.progress(message);
  }

  private progress(line: string): void {
    this.closeReasoning();
    if (this.openLine) {
      this.options.stdout.write('\n');
      this.openLine = false;
    }
    this.options.stderr.write(`${line}\n`);
  }

  private closeReasoning(): void {
    if (this.reasoningOpen) this.options.stderr.write('\n');
    this.reasoningOpen = false;
  }
}

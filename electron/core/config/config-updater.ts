import { promises as fs } from 'node:fs';
import type { ConfigUpdateResult, FieldError } from '../../../shared/api';
import { maskConfig, type AppConfig, type ConfigPatch, type EnvFixed } from '../../../shared/config';
import { errorText, type Logger } from '../log';
import { failure } from '../../../shared/text-ref';
import { writeFileAtomic } from '../store/atomic-file';
import { applyPatch, envFixedOf, type Layer, type LoadedConfig } from './load-config';

/**
 * One part of the running core that takes a new configuration (monitor, calendar, Redis
 * supervisor, HTTP server). `apply(prev, next)` with the arguments swapped is its undo.
 */
export interface ConfigStep {
  name: string;
  /** Checks what only the running system can know (a port is free); a message refuses the change. */
  check?(next: AppConfig, prev: AppConfig): Promise<FieldError | null>;
  apply(next: AppConfig, prev: AppConfig): void | Promise<void>;
}

export interface ConfigUpdaterDeps {
  log: Logger;
  save(file: string, layer: Layer): Promise<void>;
  steps: ConfigStep[];
  /** Called with the candidate before anything runs with it (registers its password with the redactor). */
  beforeApply?(next: AppConfig): void;
}

const NOTHING_CHANGED = 'Some settings are not valid; nothing was changed.';

/** One log line per refused change: which fields and why (values stay out; they may be hostile or secret). */
function describeRefusal(errors: FieldError[]): string {
  const text = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
  // A hostile key name must not forge log lines.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
  return (text.length > 500 ? `${text.slice(0, 500)}…` : text).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
}

/**
 * The one way a running core changes its configuration, whatever the source (dashboard, IPC,
 * `PUT /api/config`). A change is a transaction: validated whole, saved to config.json, then
 * applied part by part; if a part fails, the parts already applied are undone and the old
 * file is written back, so a rejected change leaves nothing changed in memory or on disk
 * (issue 9 finding 1: a change answered 500 after it was already half applied). Changes are
 * serialised so each one is checked against the configuration the previous one left.
 */
export class ConfigUpdater {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private loaded: LoadedConfig,
    private readonly deps: ConfigUpdaterDeps,
  ) {}

  get config(): AppConfig {
    return this.loaded.config;
  }

  get file(): string {
    return this.loaded.file;
  }

  get envFixed(): EnvFixed {
    return envFixedOf(this.loaded);
  }

  update(patch: ConfigPatch): Promise<ConfigUpdateResult> {
    const run = this.queue.then(() => this.transact(patch));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async transact(patch: ConfigPatch): Promise<ConfigUpdateResult> {
    const { log } = this.deps;
    try {
      const plan = applyPatch(this.loaded, patch);
      if (!plan.ok) {
        log.warn('config', `change refused: ${describeRefusal(plan.errors)}`);
        return { success: false, error: NOTHING_CHANGED, errors: plan.errors, errorCode: failure('invalidSettings') };
      }
      const prev = this.loaded;
      const fileChanged = JSON.stringify(plan.fileLayer) !== JSON.stringify(prev.fileLayer);
      if (plan.changed.length === 0 && !fileChanged) return { success: true, config: maskConfig(prev.config), applied: [] };

      const refusals: FieldError[] = [];
      for (const step of this.deps.steps) {
        const refusal = await step.check?.(plan.config, prev.config);
        if (refusal) refusals.push(refusal);
      }
      if (refusals.length > 0) {
        log.warn('config', `change refused: ${describeRefusal(refusals)}`);
        return { success: false, error: NOTHING_CHANGED, errors: refusals, errorCode: failure('invalidSettings') };
      }

      // The file's exact bytes, to put back if applying fails (null: there was none).
      let before: Buffer | null = null;
      if (fileChanged) {
        try {
          before = await fs.readFile(prev.file).catch((err: NodeJS.ErrnoException) => {
            if (err.code === 'ENOENT') return null;
            throw err;
          });
          await this.deps.save(prev.file, plan.fileLayer);
        } catch (err) {
          log.error('config', `settings not saved, nothing changed: ${errorText(err)}`);
          return { success: false, error: `The settings could not be saved (${errorText(err)}); nothing was changed.`, errors: [], errorCode: failure('settingsNotSaved', { detail: errorText(err) }) };
        }
      }

      this.deps.beforeApply?.(plan.config);
      const done: ConfigStep[] = [];
      for (const step of this.deps.steps) {
        try {
          done.push(step);
          await step.apply(plan.config, prev.config);
        } catch (err) {
          log.error('config', `applying the change failed at ${step.name}: ${errorText(err)}; undoing it`);
          await this.undo(done, prev, plan.config, fileChanged, before);
          return {
            success: false,
            error: `The change could not be applied (${step.name}: ${errorText(err)}); the previous settings are in use and nothing was changed.`,
            errors: [],
            errorCode: failure('settingsNotApplied', { detail: `${step.name}: ${errorText(err)}` }),
          };
        }
      }
      this.loaded = { ...prev, config: plan.config, fileLayer: plan.fileLayer };
      if (plan.changed.length > 0) log.info('config', `changed: ${plan.changed.join(', ')}`);
      return { success: true, config: maskConfig(plan.config), applied: plan.changed };
    } catch (err) {
      // Planning is pure; reaching here is a bug. Still an answer, never a half-applied state.
      log.error('config', `settings change failed: ${errorText(err)}`);
      return { success: false, error: `The change failed (${errorText(err)}); nothing was changed.`, errors: [], errorCode: failure('settingsFailed', { detail: errorText(err) }) };
    }
  }

  private async undo(done: ConfigStep[], prev: LoadedConfig, failed: AppConfig, fileChanged: boolean, before: Buffer | null): Promise<void> {
    for (const step of [...done].reverse()) {
      try {
        await step.apply(prev.config, failed);
      } catch (err) {
        this.deps.log.error('config', `could not undo ${step.name}: ${errorText(err)}`);
      }
    }
    if (fileChanged) {
      try {
        if (before) await writeFileAtomic(prev.file, before, 0o600);
        else await fs.rm(prev.file, { force: true });
      } catch (err) {
        this.deps.log.error('config', `could not write the previous config.json back: ${errorText(err)}`);
      }
    }
  }
}

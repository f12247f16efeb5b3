import type { CallRequest } from '../../../shared/contract';
import type { Settings } from '../../../shared/model';
import type { SectionProps } from './section';
import { saveSettings, type SettingsErrors } from './settings-form';

/** A section's drafts, checked: the update to send, or the errors to show by field. */
export interface CheckedSection {
  update?: CallRequest<'settings.update'>;
  errors?: SettingsErrors;
}

/**
 * How every settings section saves, and what it shows after: errors by field, a refusal's message, or
 * what changed ("Saved. …"). Sections differ only in their fields and their check; this is the rest.
 */
export class SectionSave {
  errors: SettingsErrors = $state({});
  message = $state('');
  saved = $state('');
  busy = $state(false);

  /** `props` is read at each save: a section's props are reactive. */
  constructor(private readonly props: () => Pick<SectionProps, 'api' | 'onsaved'>) {}

  /**
   * Checks (`check`), sends the update, and says `savedText` (or what it computes from the settings
   * main stored) once saved.
   */
  async submit(event: SubmitEvent, check: () => CheckedSection, savedText: string | ((settings: Settings) => string)): Promise<Settings | undefined> {
    event.preventDefault();
    this.saved = this.message = '';
    const checked = check();
    this.errors = checked.errors ?? {};
    if (!checked.update) return undefined;
    this.busy = true;
    const { api, onsaved } = this.props();
    const result = await saveSettings(api, checked.update);
    this.busy = false;
    if (!result.settings) {
      this.errors = result.errors;
      this.message = result.message;
      return undefined;
    }
    onsaved(result.settings);
    this.saved = typeof savedText === 'string' ? savedText : savedText(result.settings);
    return result.settings;
  }
}

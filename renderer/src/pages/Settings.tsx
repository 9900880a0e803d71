import { useT } from '../i18n';
import { CalendarExtras } from './settings/CalendarExtras';
import { ContactsExtras } from './settings/ContactsExtras';
import { MuteControls } from './settings/MuteControls';
import { SaveBar } from './settings/SaveBar';
import { Section } from './settings/SettingsSection';
import { SECTIONS } from './settings/settings-model';
import { useSettingsForm } from './settings/use-settings-form';

/** The settings page: one card per section of the config, the section's own controls in it, one save bar. */
export function Settings() {
  const { t } = useT();
  const { ctx, validation, save, submit, undo } = useSettingsForm();

  return (
    <form
      className="settings stack"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div className="page-head">
        <h2>{t('settings.title')}</h2>
        <p className="muted">{t('settings.intro')}</p>
      </div>
      {SECTIONS.map((section) => (
        <Section key={section.id} section={section} ctx={ctx}>
          {section.id === 'calendar' && <CalendarExtras backend={String(ctx.values({ path: 'calendar.backend', kind: 'select' }))} />}
          {/* Spec §5.2: the Python service's one reminder, kept for the takeover; say so. */}
          {section.id === 'calendar' && <p className="help" data-testid="calendar-reminder-note">{t('settings.calendar.reminder')}</p>}
          {section.id === 'notifications' && <MuteControls />}
          {section.id === 'contacts' && <ContactsExtras />}
        </Section>
      ))}
      <SaveBar validation={validation} save={save} undo={undo} />
    </form>
  );
}

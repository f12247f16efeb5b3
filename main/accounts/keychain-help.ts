import type { KeychainStatus } from '../../shared/model';

const USE_OTHER_KINDS =
  'Or add the account as an AWS profile or with the default credential chain: those kinds keep no secret in KVS Wall, so they work without a keychain.';

/**
 * What is missing when the OS keychain can't be reached, and how to fix it, in the words of each
 * platform. KVS Wall never falls back to storing a secret elsewhere, so this is the whole remedy.
 */
export function keychainHelp(platform: string): Pick<KeychainStatus, 'explanation' | 'steps'> {
  switch (platform) {
    case 'darwin':
      return {
        explanation: 'KVS Wall keeps access keys in your macOS login keychain, and it could not be opened.',
        steps: [
          'Open Keychain Access and unlock the "login" keychain (File → Unlock Keychain "login").',
          'When macOS asks whether KVS Wall may use the keychain, choose Always Allow.',
          USE_OTHER_KINDS,
        ],
      };
    case 'win32':
      return {
        explanation: 'KVS Wall keeps access keys in Windows Credential Manager, and it could not be reached.',
        steps: [
          'Sign in with a normal Windows user profile: temporary and mandatory profiles have no Credential Manager.',
          'Check that the "Credential Manager" service is running (services.msc).',
          USE_OTHER_KINDS,
        ],
      };
    default:
      return {
        explanation:
          'KVS Wall keeps access keys in the Secret Service, and none is running and unlocked in this session (a Secret Service is GNOME Keyring or KWallet, reached over the D-Bus session bus).',
        steps: [
          'Install a Secret Service: gnome-keyring (GNOME and most desktops) or KWallet (KDE), and log in to a desktop session that starts it.',
          'Unlock it: logging in with a password usually does; otherwise use Passwords and Keys (Seahorse) or KWalletManager.',
          'On an auto-login kiosk the keyring stays locked: unlock it at login (pam_gnome_keyring in the display manager\'s PAM stack, or gnome-keyring-daemon --unlock in the session\'s start script).',
          USE_OTHER_KINDS,
        ],
      };
  }
}

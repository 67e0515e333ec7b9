import { useEffect } from 'react';

/** Actions an operator repeats all day, and their default keys (configurable later). */
export const defaultShortcuts = {
  answer: 'F2',
  hangup: 'F4',
  help: 'F1',
} as const;
export type ShortcutAction = keyof typeof defaultShortcuts;

/** Bind shortcut keys on the whole window while the component is mounted. */
export function useShortcuts(handlers: Partial<Record<ShortcutAction, () => void>>) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      for (const [action, key] of Object.entries(defaultShortcuts) as [ShortcutAction, string][]) {
        if (e.key === key && !e.altKey && !e.ctrlKey && !e.metaKey) {
          const h = handlers[action];
          if (h) {
            e.preventDefault();
            h();
          }
          return;
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [handlers]);
}

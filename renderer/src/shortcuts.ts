import { useEffect } from 'react';

/**
 * Every action an operator repeats all day, and its default key. Operators
 * (or the center) change them in the phone settings; they are kept in
 * localStorage and listed in the help overlay (F1).
 */
export const defaultShortcuts = {
  answer: 'F2',
  hangup: 'F4',
  dial: 'F3',
  hold: 'F5',
  mute: 'F6',
  transfer: 'F7',
  consult: 'F8',
  conference: 'F9',
  completeTransfer: 'Alt+Enter',
  cancelTransfer: 'Alt+Backspace',
  swap: 'Alt+S',
  dtmf: 'Alt+K',
  redial: 'Alt+D',
  ready: 'Alt+R',
  notReady: 'Alt+N',
  extendWrapUp: 'Alt+E',
  endWrapUp: 'Alt+W',
  settings: 'Alt+P',
  kbSearch: 'Alt+Q',
  kbUse: 'Alt+U',
  submitTicket: 'Ctrl+Enter',
  newTicket: 'Alt+T',
  findTicket: 'Alt+F',
  mergeTicket: 'Alt+M',
  help: 'F1',
} as const;
export type ShortcutAction = keyof typeof defaultShortcuts;
export type ShortcutMap = Record<ShortcutAction, string>;

const STORAGE_KEY = 'qingyu.shortcuts';

export function loadShortcuts(): ShortcutMap {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as Partial<ShortcutMap>;
    const out: ShortcutMap = { ...defaultShortcuts };
    for (const k of Object.keys(defaultShortcuts) as ShortcutAction[]) {
      const v = saved[k];
      if (typeof v === 'string' && parseKey(v)) out[k] = v;
    }
    return out;
  } catch {
    return { ...defaultShortcuts };
  }
}

export function saveShortcuts(map: ShortcutMap) {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(map));
}

interface KeySpec {
  key: string;
  alt: boolean;
  ctrl: boolean;
  shift: boolean;
}

/** 'Alt+Shift+R' → its parts; null when it is not a key we can bind. */
export function parseKey(spec: string): KeySpec | null {
  const parts = spec.split('+').map((p) => p.trim()).filter(Boolean);
  const key = parts.pop();
  if (!key) return null;
  const mods = new Set(parts.map((p) => p.toLowerCase()));
  for (const m of mods) if (!['alt', 'ctrl', 'shift'].includes(m)) return null;
  const isF = /^F([1-9]|1[0-2])$/.test(key);
  if (!isF && !mods.has('alt') && !mods.has('ctrl')) return null; // a bare letter would fire while typing
  return { key: key.length === 1 ? key.toLowerCase() : key, alt: mods.has('alt'), ctrl: mods.has('ctrl'), shift: mods.has('shift') };
}

/** The spec of a key press, for recording a new shortcut. */
export function describeKey(e: KeyboardEvent | React.KeyboardEvent): string | null {
  if (['Alt', 'Control', 'Shift', 'Meta'].includes(e.key)) return null;
  const key = e.code.startsWith('Key') ? e.code.slice(3) : e.code.startsWith('Digit') ? e.code.slice(5) : e.key;
  return [e.ctrlKey && 'Ctrl', e.altKey && 'Alt', e.shiftKey && 'Shift', key].filter(Boolean).join('+');
}

function matches(spec: KeySpec, e: KeyboardEvent): boolean {
  if (e.altKey !== spec.alt || e.ctrlKey !== spec.ctrl || e.metaKey) return false;
  if (spec.shift !== e.shiftKey && spec.key.length === 1) return false;
  const pressed = e.code.startsWith('Key') ? e.code.slice(3).toLowerCase() : e.code.startsWith('Digit') ? e.code.slice(5) : e.key;
  return pressed === spec.key || e.key === spec.key;
}

/** Bind shortcut keys on the whole window while the component is mounted. */
export function useShortcuts(map: ShortcutMap, handlers: Partial<Record<ShortcutAction, () => void>>) {
  useEffect(() => {
    const specs = (Object.entries(map) as [ShortcutAction, string][]).flatMap(([a, k]) => {
      const s = parseKey(k);
      return s ? [[a, s] as const] : [];
    });
    const onKey = (e: KeyboardEvent) => {
      for (const [action, spec] of specs) {
        if (matches(spec, e)) {
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
  }, [map, handlers]);
}

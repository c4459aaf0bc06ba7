/** The window's icons: inline SVG line icons (24×24 grid), coloured by `currentColor`. */
import type { JSX } from 'preact';

const PATHS = {
  check: 'M5 12.5l4.5 4.5L19 7.5',
  sync: 'M4 12a8 8 0 0 1 13.7-5.6L20 8.5M20 4v4.5h-4.5M20 12a8 8 0 0 1-13.7 5.6L4 15.5M4 20v-4.5h4.5',
  pause: 'M9 5v14M15 5v14',
  play: 'M8 5.5v13l10.5-6.5z',
  offline:
    'M3 3l18 18M8.5 8.6A5.5 5.5 0 0 0 6.5 19H17m3.3-1.7A4 4 0 0 0 17 11h-.6A6 6 0 0 0 10 6.2',
  alert: 'M12 3.5L2.5 20h19zM12 10v4.5M12 17.3v.2',
  conflict: 'M7 4v9a4 4 0 0 0 4 4h6M17 4v9M14 14l3 3-3 3M4 7l3-3 3 3M14 7l3-3 3 3',
  folder:
    'M3 6.5A1.5 1.5 0 0 1 4.5 5h4.4l2 2.2h8.6A1.5 1.5 0 0 1 21 8.7v9.8a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 18.5z',
  file: 'M6 3h8l4 4v14H6zM14 3v4h4',
  activity: 'M3 12h4l3-7 4 14 3-7h4',
  home: 'M4 11l8-7 8 7v9h-5v-6H9v6H4z',
  upload: 'M12 19V6M6.5 11.5L12 6l5.5 5.5M5 20h14',
  download: 'M12 5v13M6.5 12.5L12 18l5.5-5.5M5 20h14',
  trash: 'M4 7h16M9 7V4h6v3M6.5 7l1 13h9l1-13',
  move: 'M4 12h14M14 7l5 5-5 5',
  share:
    'M16 8a3 3 0 1 0-3-3M8 15a3 3 0 1 0 0 .1M16 22a3 3 0 1 0 0-.1M10.6 13.5l2.8-1.6M10.6 16.5l2.8 1.6',
  restore: 'M4 12a8 8 0 1 0 2.4-5.7L4 8.5M4 4v4.5h4.5M12 8v4.5l3 2',
  settings: 'M4 7h10M18 7h2M4 17h4M12 17h8M14 5v4M8 15v4',
} as const;

/** The name of an icon. */
export type IconName = keyof typeof PATHS;

/** An icon, decorative unless `label` names it for screen readers. */
export function Icon(props: { name: IconName; size?: number; label?: string }): JSX.Element {
  const size = props.size ?? 18;
  return (
    <svg
      class="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="1.8"
      stroke-linecap="round"
      stroke-linejoin="round"
      role={props.label === undefined ? undefined : 'img'}
      aria-label={props.label}
      aria-hidden={props.label === undefined ? 'true' : undefined}
    >
      <path d={PATHS[props.name]} />
    </svg>
  );
}

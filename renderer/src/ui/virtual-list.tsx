/**
 * A list that renders only the rows in view (plus a few), so 10,000 activity entries or 1,000
 * conflicts cost what 20 rows cost. Rows have one fixed height, which keeps the arithmetic
 * exact and scrolling free of layout work; that is all this UI needs, so no library.
 */
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

/** Props of {@link VirtualList}. */
export interface VirtualListProps<T> {
  readonly items: readonly T[];
  /** Pixels; every row is this tall. */
  readonly rowHeight: number;
  readonly renderRow: (item: T, index: number) => ComponentChildren;
  readonly rowKey: (item: T) => string | number;
  /** The list's accessible name. */
  readonly label: string;
  /** Rows rendered beyond each edge of the view. */
  readonly overscan?: number;
}

/** A scrolling list of fixed-height rows, rendering only those in view. */
export function VirtualList<T>(props: VirtualListProps<T>): JSX.Element {
  const { items, rowHeight } = props;
  const overscan = props.overscan ?? 6;
  const box = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 600 });

  useEffect(() => {
    const element = box.current;
    if (element === null) return undefined;
    const measure = (): void => setView({ top: element.scrollTop, height: element.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(view.top / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((view.top + view.height) / rowHeight) + overscan);
  const rows: JSX.Element[] = [];
  for (let index = first; index < last; index += 1) {
    const item = items[index] as T;
    rows.push(
      <div
        key={props.rowKey(item)}
        class="virtual-row"
        role="listitem"
        style={{ transform: `translateY(${index * rowHeight}px)`, height: `${rowHeight}px` }}
      >
        {props.renderRow(item, index)}
      </div>,
    );
  }
  return (
    <div
      ref={box}
      class="virtual-list"
      role="list"
      aria-label={props.label}
      tabIndex={0}
      onScroll={(event) =>
        setView({ top: event.currentTarget.scrollTop, height: event.currentTarget.clientHeight })
      }
    >
      <div class="virtual-spacer" style={{ height: `${items.length * rowHeight}px` }}>
        {rows}
      </div>
    </div>
  );
}

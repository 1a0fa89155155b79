import { useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate } from 'react-router';

/** A page in a face's navigation. */
export interface NavItem {
  to: string;
  label: string;
}

/**
 * Ctrl+K (⌘K on a Mac) opens a list of the face's pages; typing filters it, arrow keys move,
 * Enter opens, Esc closes. Everything the mouse can reach in the navigation, the keyboard can too.
 */
export function CommandPalette({ items }: { items: readonly NavItem[] }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const dialog = useRef<HTMLDialogElement>(null);
  const navigate = useNavigate();
  const matches = useMemo(
    () => items.filter((item) => item.label.toLowerCase().includes(text.trim().toLowerCase())),
    [items, text],
  );

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        setText('');
        setActive(0);
        setOpen(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);

  const go = (item: NavItem | undefined) => {
    if (!item) return;
    setOpen(false);
    navigate(item.to);
  };

  return (
    <dialog ref={dialog} aria-label="Go to a page" data-testid="command-palette" onClose={() => setOpen(false)}>
      <div className="field">
        <label htmlFor="palette-input">Go to</label>
        <input
          id="palette-input"
          role="combobox"
          aria-expanded="true"
          aria-controls="palette-list"
          aria-activedescendant={matches[active] ? `palette-${active}` : undefined}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              setActive((i) => Math.min(i + 1, matches.length - 1));
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive((i) => Math.max(i - 1, 0));
            } else if (e.key === 'Enter') {
              e.preventDefault();
              go(matches[active]);
            }
          }}
        />
      </div>
      <div id="palette-list" role="listbox">
        {matches.map((item, i) => (
          <div
            key={item.to}
            tabIndex={-1}
            id={`palette-${i}`}
            role="option"
            aria-selected={i === active}
            className={i === active ? 'palette-active' : undefined}
            onMouseEnter={() => setActive(i)}
            onClick={() => go(item)}
            onKeyDown={(e) => e.key === 'Enter' && go(item)}
          >
            {item.label}
          </div>
        ))}
        {matches.length === 0 ? <p>No page matches.</p> : null}
      </div>
    </dialog>
  );
}

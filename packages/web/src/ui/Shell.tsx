import { useState, type ReactNode } from 'react';
import { NavLink } from 'react-router';
import { faceOf, useSession } from '../session';
import { CommandPalette, type NavItem } from './CommandPalette';

export type { NavItem } from './CommandPalette';

/** The frame of every signed-in page: navigation, who is signed in, sign out. */
export function Shell(props: {
  nav: readonly NavItem[];
  brand?: { name: string; logoUrl?: string | null };
  children: ReactNode;
}) {
  const { user, signOut } = useSession();
  const [open, setOpen] = useState(false);
  return (
    <div className="shell">
      <nav className="nav" aria-label="Main">
        <div className="brand" data-testid="brand">
          {props.brand?.logoUrl ? <img src={props.brand.logoUrl} alt="" /> : null}
          <span>{props.brand?.name ?? 'OsirisCare'}</span>
        </div>
        <button
          type="button"
          className="btn menu-toggle"
          aria-expanded={open}
          aria-controls="nav-links"
          onClick={() => setOpen((v) => !v)}
        >
          Menu
        </button>
        <div id="nav-links" className={`links ${open ? 'open' : ''}`} style={{ display: undefined }}>
          {props.nav.map((item) => (
            <NavLink key={item.to} to={item.to} end onClick={() => setOpen(false)} style={{ display: 'block' }}>
              {item.label}
            </NavLink>
          ))}
        </div>
        <div className="who" data-testid="who">
          {user ? (
            <>
              <div>{user.name}</div>
              <div>{user.role.replaceAll('_', ' ')}</div>
              <button
                type="button"
                className="btn"
                style={{ marginTop: 8 }}
                onClick={async () => {
                  await signOut();
                  // The guarded page is gone with the session; land on a clean sign-in page.
                  window.location.assign('/sign-in');
                }}
              >
                Sign out
              </button>
            </>
          ) : null}
        </div>
      </nav>
      <main className="main">{props.children}</main>
      <CommandPalette items={props.nav} />
    </div>
  );
}

/** Where a signed-in user starts. */
export function homeOf(user: NonNullable<ReturnType<typeof useSession>['user']>): string {
  return `/${faceOf(user)}`;
}

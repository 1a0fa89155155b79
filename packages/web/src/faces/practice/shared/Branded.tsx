import type { CSSProperties, ReactNode } from 'react';
import { type NavItem, Shell } from '../../../ui/Shell';
import { useBranding } from './data';

/** The shell in the partner's colours: name, logo and --brand on a wrapper element. */
export function BrandedShell(props: {
  nav: readonly NavItem[];
  partnerId: string | null | undefined;
  children: ReactNode;
}) {
  const branding = useBranding(props.partnerId).data;
  const style = branding?.color ? ({ '--brand': branding.color } as CSSProperties) : undefined;
  return (
    <div style={style} data-testid="brand-wrapper">
      <Shell nav={props.nav} brand={{ name: branding?.brandName ?? 'OsirisCare', logoUrl: branding?.logoUrl ?? null }}>
        {props.children}
      </Shell>
    </div>
  );
}

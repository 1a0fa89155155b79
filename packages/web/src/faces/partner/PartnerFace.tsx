import { Route, Routes } from 'react-router';
import { Shell } from '../../ui/Shell';

const NAV = [{ to: '/partner', label: 'Overview' }] as const;

/** The partner face: its navigation and pages. */
export default function PartnerFace() {
  return (
    <Shell nav={NAV}>
      <Routes>
        <Route index element={<h1>Overview</h1>} />
      </Routes>
    </Shell>
  );
}

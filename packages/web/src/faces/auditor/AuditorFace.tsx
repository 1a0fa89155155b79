import { Route, Routes } from 'react-router';
import { Shell } from '../../ui/Shell';

const NAV = [{ to: '/auditor', label: 'Overview' }] as const;

/** The auditor face: its navigation and pages. */
export default function AuditorFace() {
  return (
    <Shell nav={NAV}>
      <Routes>
        <Route index element={<h1>Overview</h1>} />
      </Routes>
    </Shell>
  );
}

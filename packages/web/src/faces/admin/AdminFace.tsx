import { Route, Routes } from 'react-router';
import { Shell } from '../../ui/Shell';

const NAV = [{ to: '/admin', label: 'Overview' }] as const;

/** The admin face: its navigation and pages. */
export default function AdminFace() {
  return (
    <Shell nav={NAV}>
      <Routes>
        <Route index element={<h1>Overview</h1>} />
      </Routes>
    </Shell>
  );
}

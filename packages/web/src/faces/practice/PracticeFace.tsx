import { Route, Routes } from 'react-router';
import { Shell } from '../../ui/Shell';

const NAV = [{ to: '/practice', label: 'Overview' }] as const;

/** The practice face: its navigation and pages. */
export default function PracticeFace() {
  return (
    <Shell nav={NAV}>
      <Routes>
        <Route index element={<h1>Overview</h1>} />
      </Routes>
    </Shell>
  );
}

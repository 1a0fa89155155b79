import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { JoinPage, SignInPage } from './pages/SignIn';
import { faceOf, useSession } from './session';
import { Loading } from './ui/kit';
import { homeOf } from './ui/Shell';

// Each face loads on its own, so the sign-in page ships only what it needs.
const AdminFace = lazy(() => import('./faces/admin/AdminFace'));
const PartnerFace = lazy(() => import('./faces/partner/PartnerFace'));
const PracticeFace = lazy(() => import('./faces/practice/PracticeFace'));
const AuditorFace = lazy(() => import('./faces/auditor/AuditorFace'));

/** A face only for its own kind of user; others are sent to their own start page. */
function Guard({ face, children }: { face: ReturnType<typeof faceOf>; children: React.ReactNode }) {
  const { user, isLoading } = useSession();
  const location = useLocation();
  if (isLoading) return <Loading what="your session" />;
  if (!user) return <Navigate to={`/sign-in?next=${encodeURIComponent(location.pathname)}`} replace />;
  if (faceOf(user) !== face)
    return (
      <div className="auth card" data-testid="forbidden">
        <h1>Not available to your account</h1>
        <p>This part of OsirisCare is for another kind of account.</p>
        <a href={homeOf(user)}>Go to your start page</a>
      </div>
    );
  return <>{children}</>;
}

/**
 * Links in notifications point at `/go/<page>` (e.g. `/go/escalations/<id>`): the same page in the
 * reader's own face, since one event may reach platform staff and partner people alike.
 */
function GoTo() {
  const { user, isLoading } = useSession();
  const location = useLocation();
  if (isLoading) return <Loading what="your session" />;
  if (!user) return <Navigate to={`/sign-in?next=${encodeURIComponent(location.pathname)}`} replace />;
  return <Navigate to={`${homeOf(user)}/${location.pathname.replace(/^\/go\/?/, '')}`} replace />;
}

function Home() {
  const { user, isLoading } = useSession();
  if (isLoading) return <Loading what="your session" />;
  return <Navigate to={user ? homeOf(user) : '/sign-in'} replace />;
}

export function App() {
  return (
    <Suspense fallback={<Loading what="the page" />}>
      <Routes>
        <Route path="/" element={<Home />} />
        <Route path="/sign-in" element={<SignInPage />} />
        <Route path="/join" element={<JoinPage />} />
        <Route path="/go/*" element={<GoTo />} />
        <Route
          path="/admin/*"
          element={
            <Guard face="admin">
              <AdminFace />
            </Guard>
          }
        />
        <Route
          path="/partner/*"
          element={
            <Guard face="partner">
              <PartnerFace />
            </Guard>
          }
        />
        <Route
          path="/practice/*"
          element={
            <Guard face="practice">
              <PracticeFace />
            </Guard>
          }
        />
        <Route
          path="/auditor/*"
          element={
            <Guard face="auditor">
              <AuditorFace />
            </Guard>
          }
        />
        <Route
          path="*"
          element={
            <div className="auth card" data-testid="not-found">
              <h1>Page not found</h1>
              <a href="/">Back to the start page</a>
            </div>
          }
        />
      </Routes>
    </Suspense>
  );
}

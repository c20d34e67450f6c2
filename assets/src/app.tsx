/**
 * The application frame: skip link, header and one screen chosen by path.
 * Screens live in src/screens/<name>/; add a route here when adding one. Each
 * route names who may open it; anyone else gets the sign-in page (when signed
 * out) or the not-found screen (when signed in without the role), so a
 * student cannot tell a staff page from a missing one.
 */
import { useEffect, useRef } from 'preact/hooks';
import type { JSX } from 'preact';
import { t } from './i18n';
import { ApiError, clientProblem } from './api/client';
import { Loading } from './components/Status';
import { ErrorNotice } from './components/ErrorNotice';
import { SiteHeader } from './components/SiteHeader';
import { matchPath, Redirect, useLocation } from './router';
import { allows, landingPath, type Access } from './session/roles';
import { SessionProvider, useSession } from './session/SessionProvider';
import { AccountScreen } from './screens/account/AccountScreen';
import { AdminScreen, adminTitle } from './screens/admin/AdminScreen';
import { AuthorScreen } from './screens/author/AuthorScreen';
import { CandidateScreen } from './screens/candidate/CandidateScreen';
import { CandidatesScreen } from './screens/candidates/CandidatesScreen';
import { CourseScreen } from './screens/courses/CourseScreen';
import { CoursesScreen } from './screens/courses/CoursesScreen';
import { ExamLandingScreen } from './screens/exam/ExamLandingScreen';
import { ReceiptScreen } from './screens/exam/ReceiptScreen';
import { TakeScreen } from './screens/exam/TakeScreen';
import { HomeScreen } from './screens/home/HomeScreen';
import { LinkScreen } from './screens/link/LinkScreen';
import { ManageScreen } from './screens/manage/ManageScreen';
import { MonitorScreen } from './screens/monitor/MonitorScreen';
import { PolicyScreen } from './screens/policy/PolicyScreen';
import { SimilarityScreen } from './screens/similarity/SimilarityScreen';
import { GradingScreen } from './screens/grading/GradingScreen';
import { CaseFileScreen } from './screens/student/CaseFileScreen';
import { StudentScreen } from './screens/student/StudentScreen';
import { NotFoundScreen } from './screens/not-found/NotFoundScreen';
import { PlatformScreen } from './screens/platform/PlatformScreen';
import { ReadinessScreen } from './screens/readiness/ReadinessScreen';
import { SignInScreen } from './screens/signin/SignInScreen';

interface Route {
  pattern: string;
  access: Access;
  /** False for pages that never need to know who is signed in, so they make no session request. */
  session?: false;
  /**
   * True for the exam client, which works without the network (service worker
   * and IndexedDB): when the session cannot be checked because the server is
   * unreachable, the page is shown anyway; the server still checks every request.
   */
  offline?: true;
  /**
   * True for the exam client while an attempt is taken: the header offers no
   * way away from it (no navigation, no account page), only signing out.
   */
  inExam?: true;
  title: string | ((params: Record<string, string>) => string);
  render: (params: Record<string, string>) => JSX.Element;
}

const routes: Route[] = [
  { pattern: '/', access: 'public', title: t.signIn.documentTitle, render: () => <Start /> },
  { pattern: '/signin', access: 'public', title: t.signIn.documentTitle, render: () => <SignInScreen /> },
  { pattern: '/check', access: 'public', session: false, title: t.readiness.documentTitle, render: () => <ReadinessScreen /> },
  {
    pattern: '/link/:token',
    access: 'public',
    session: false,
    title: t.link.documentTitle,
    render: (p) => <LinkScreen token={p.token ?? ''} />,
  },
  { pattern: '/account', access: 'signedIn', title: t.account.documentTitle, render: () => <AccountScreen /> },
  { pattern: '/platform', access: 'platform', title: t.platform.documentTitle, render: () => <PlatformScreen /> },
  { pattern: '/admin', access: 'orgAdmin', title: () => adminTitle(''), render: () => <AdminScreen section="" /> },
  {
    pattern: '/admin/:section',
    access: 'orgAdmin',
    title: (p) => adminTitle(p.section ?? ''),
    render: (p) => <AdminScreen section={p.section ?? ''} />,
  },
  {
    pattern: '/candidate/:token',
    access: 'public',
    session: false,
    title: t.candidateLink.documentTitle,
    render: (p) => <CandidateScreen token={p.token ?? ''} />,
  },
  { pattern: '/courses', access: 'staff', title: t.courses.documentTitle, render: () => <CoursesScreen /> },
  {
    pattern: '/courses/:courseId',
    access: 'staff',
    title: t.courses.documentTitle,
    render: (p) => <CourseScreen courseId={p.courseId ?? ''} />,
  },
  {
    pattern: '/courses/:courseId/exams/new',
    access: 'staff',
    title: t.author.newTitle,
    render: (p) => <AuthorScreen courseId={p.courseId ?? ''} />,
  },
  {
    pattern: '/courses/:courseId/exams/:examId/edit',
    access: 'staff',
    title: t.author.documentTitle,
    render: (p) => <AuthorScreen courseId={p.courseId ?? ''} examId={p.examId ?? ''} />,
  },
  {
    pattern: '/courses/:courseId/exams/:examId/candidates',
    access: 'staff',
    title: t.candidates.documentTitle,
    render: (p) => <CandidatesScreen courseId={p.courseId ?? ''} examId={p.examId ?? ''} />,
  },
  {
    pattern: '/courses/:courseId/exams/:examId/grading',
    access: 'staff',
    title: t.grading.documentTitle,
    render: (p) => <GradingScreen courseId={p.courseId ?? ''} examId={p.examId ?? ''} />,
  },
  {
    pattern: '/courses/:courseId/exams/:examId/similarity',
    access: 'staff',
    title: t.similarityScreen.documentTitle,
    render: (p) => <SimilarityScreen courseId={p.courseId ?? ''} examId={p.examId ?? ''} />,
  },
  {
    pattern: '/courses/:courseId/exams/:examId/attempts/:attemptId/case-file',
    access: 'staff',
    title: t.caseFile.documentTitle,
    render: (p) => <CaseFileScreen courseId={p.courseId ?? ''} examId={p.examId ?? ''} attemptId={p.attemptId ?? ''} />,
  },
  {
    pattern: '/courses/:courseId/exams/:examId/attempts/:attemptId',
    access: 'staff',
    title: t.student.documentTitle,
    render: (p) => <StudentScreen courseId={p.courseId ?? ''} examId={p.examId ?? ''} attemptId={p.attemptId ?? ''} />,
  },
  {
    // Proctors watch their own sections here; the server decides who sees what.
    pattern: '/courses/:courseId/exams/:examId/monitor',
    access: 'member',
    title: t.monitor.documentTitle,
    render: (p) => <MonitorScreen courseId={p.courseId ?? ''} examId={p.examId ?? ''} />,
  },
  {
    // Instructors change it; reviewers and the exam's proctors read it. The server decides who sees it.
    pattern: '/courses/:courseId/exams/:examId/policy',
    access: 'staff',
    title: t.policy.documentTitle,
    render: (p) => <PolicyScreen courseId={p.courseId ?? ''} examId={p.examId ?? ''} />,
  },
  {
    pattern: '/courses/:courseId/exams/:examId',
    access: 'staff',
    title: t.manage.documentTitle,
    render: (p) => <ManageScreen courseId={p.courseId ?? ''} examId={p.examId ?? ''} />,
  },
  { pattern: '/home', access: 'member', title: t.home.documentTitle, render: () => <HomeScreen /> },
  {
    pattern: '/exams/:examId',
    access: 'member',
    title: t.exam.documentTitle,
    render: (p) => <ExamLandingScreen examId={p.examId ?? ''} />,
  },
  {
    pattern: '/exams/:examId/take',
    access: 'member',
    offline: true,
    inExam: true,
    title: t.exam.documentTitle,
    render: (p) => <TakeScreen examId={p.examId ?? ''} />,
  },
  {
    pattern: '/exams/:examId/receipt',
    access: 'member',
    title: t.exam.receiptTitle,
    render: (p) => <ReceiptScreen examId={p.examId ?? ''} />,
  },
];

const notFound: Route = {
  pattern: '',
  access: 'public',
  title: t.notFound.documentTitle,
  render: () => <NotFoundScreen />,
};

function resolve(path: string): { route: Route; params: Record<string, string> } {
  for (const route of routes) {
    const params = matchPath(route.pattern, path);
    if (params !== null) return { route, params };
  }
  return { route: notFound, params: {} };
}

/** `/`: where a signed-in person belongs, otherwise the sign-in page. */
function Start() {
  const { state, view } = useSession();
  if (state.status === 'unknown' || state.status === 'loading') return <Loading />;
  return view === null ? <SignInScreen /> : <Redirect to={landingPath(view)} />;
}

function Guarded({ route, params, path }: { route: Route; params: Record<string, string>; path: string }) {
  const session = useSession();
  if (route.access === 'public') return route.render(params);
  switch (session.state.status) {
    case 'unknown':
    case 'loading':
      return <Loading />;
    case 'failed':
      if (route.offline === true && session.state.error instanceof ApiError && session.state.error.type === clientProblem.network) {
        return route.render(params);
      }
      return (
        <>
          <p>{t.errors.sessionCheckFailed}</p>
          <ErrorNotice error={session.state.error} />
          <button type="button" class="button" onClick={() => { void session.refresh(); }}>{t.common.retry}</button>
        </>
      );
    case 'ready':
      if (session.view === null) return <Redirect to={`/signin?next=${encodeURIComponent(path)}`} />;
      return allows(session.view, route.access) ? route.render(params) : <NotFoundScreen />;
  }
}

function Frame() {
  const { path } = useLocation();
  const { route, params } = resolve(path);
  const title = typeof route.title === 'string' ? route.title : route.title(params);
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  const { ensure } = useSession();
  const wantsSession = route.session !== false;

  useEffect(() => {
    if (wantsSession) ensure();
  }, [wantsSession, ensure]);

  useEffect(() => {
    document.title = title;
  }, [title]);

  // After an in-app navigation, start reading at the new page, as after a page load.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [path]);

  return (
    <>
      <a class="skip-link" href="#main">{t.skipToContent}</a>
      <SiteHeader inExam={route.inExam === true} />
      <main id="main" ref={main} class="page" tabIndex={-1}>
        <Guarded route={route} params={params} path={path} />
      </main>
    </>
  );
}

export function App() {
  return (
    <SessionProvider>
      <Frame />
    </SessionProvider>
  );
}

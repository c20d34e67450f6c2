import { callApi, launchBrowser, newContext, orgWithInstructor, startServer, stopServer, cleanup } from './harness.mjs';
const people = {
  it: { email: 'it@demo.example', name: 'Iris IT', password: 'violet-harbour-lantern-57' },
  admin: { email: 'admin@physics.example', name: 'Paula Admin', password: 'copper-meadow-quartz-81' },
  instructor: { email: 'ivan@physics.example', name: 'Ivan Instructor', password: 'maple-orbit-whistle-23' },
};
const server = await startServer();
const browser = await launchBrowser();
try {
  const computer = async () => (await newContext(browser)).newPage();
  const { instructor: p, course } = await orgWithInstructor(server, computer, { people, sections: ['A', 'B'] });
  const h = (x) => new Date(Date.now() + x * 3600e3).toISOString();
  const spec = (title, a, b, secs) => ({ title, opens_at: h(a), closes_at: h(b), duration_minutes: 90, late_policy: 'accept_queued', integrity_profile: 'standard', section_ids: secs, questions: [] });
  const exam = await callApi(p, 'POST', `/courses/${course.id}/exams`, spec('Midterm', 20, 23, course.sections.map((s) => s.id)));
  await callApi(p, 'POST', `/courses/${course.id}/exams`, spec('Quiz 1', -1, 2, [course.sections[0].id]));
  await p.setViewportSize({ width: 1100, height: 900 });
  await p.reload(); await p.getByTestId('my-course-link').waitFor();
  await p.screenshot({ path: '/tmp/shots/1-courses.png', fullPage: true });
  await p.getByTestId('my-course-link').click(); await p.getByTestId('exam-row').first().waitFor();
  await p.screenshot({ path: '/tmp/shots/2-course.png', fullPage: true });
  await p.locator('[data-testid="exam-row"][data-title="Midterm"]').getByTestId('exam-candidates').click();
  await p.getByTestId('create-candidates-form').waitFor();
  await p.getByTestId('create-candidates-submit').click();
  await p.screenshot({ path: '/tmp/shots/3-errors.png', fullPage: true });
  await p.getByTestId('candidate-section').selectOption({ label: 'B' });
  await p.getByTestId('candidate-mode-many').check();
  await p.getByTestId('candidate-csv-text').fill('name,student_number\nAna Lovelace,s100\n,s101\n');
  await p.getByTestId('create-candidates-submit').click();
  await p.getByTestId('create-candidates-error').waitFor();
  console.log('422:', await p.getByTestId('create-candidates-error').innerText());
  await p.getByTestId('candidate-csv-text').fill('name,student_number\nAna Lovelace,s100\nGrace Hopper,s101\nAlan Turing,\n');
  await p.getByTestId('create-candidates-submit').click();
  await p.getByTestId('issued-links').waitFor();
  await p.getByTestId('candidate-row').nth(2).waitFor();
  await p.screenshot({ path: '/tmp/shots/4-issued.png', fullPage: true });
  await p.pdf({ path: '/tmp/shots/5-print.pdf' });
  await p.emulateMedia({ media: 'print' });
  await p.screenshot({ path: '/tmp/shots/5-print.png', fullPage: true });
  await p.emulateMedia({ media: 'screen' });
  const url = await p.getByTestId('slip-url').first().innerText();
  await p.getByTestId('candidate-revoke').first().click();
  await p.getByTestId('confirm-dialog').waitFor();
  await p.screenshot({ path: '/tmp/shots/6-dialog.png' });
  await p.keyboard.press('Escape');
  const c = await computer(); await c.setViewportSize({ width: 1000, height: 700 });
  await c.goto(url); await c.getByTestId('candidate-label').waitFor();
  await c.screenshot({ path: '/tmp/shots/7-candidate.png', fullPage: true });
  await c.getByTestId('candidate-start').click(); await c.waitForURL(/\/home/); await c.getByTestId('my-course').waitFor();
  await c.screenshot({ path: '/tmp/shots/8-home.png', fullPage: true });
  await c.goto(url); await c.getByTestId('candidate-invalid').waitFor();
  await c.screenshot({ path: '/tmp/shots/9-invalid.png', fullPage: true });
} finally { await browser.close(); await stopServer(server.process); await cleanup(); }

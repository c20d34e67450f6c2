//! The grades: examhall's own table (per student the points of each
//! question and the total), and the same points shaped for the gradebook
//! imports of Moodle and Canvas. The points are grading's
//! ([`crate::service::grading::overview`]): one row per latest submission,
//! at most one per student, so they are read before the export's stream
//! and held; the students' sections and numbers come from its snapshot.

use std::collections::HashMap;

use rusqlite::Connection;

use super::records::{names, question_column};
use super::sheet::{Cell, Format, Sheet, Sink, Stop};
use crate::domain::AttemptId;
use crate::service::grading::{Grading, SubmissionScores};
use crate::store::exams::Exam;
use crate::store::exports::{self, Student};

/// The exam's maximum: the sum of its questions' points.
fn max_points(exam: &Exam) -> i64 {
    exam.spec.questions.iter().map(|q| i64::from(q.points)).sum()
}

/// A submission's points for each question of the exam, in exam order.
fn points_by_question(exam: &Exam, scores: &SubmissionScores) -> Vec<Option<u64>> {
    exam.question_ids
        .iter()
        .map(|id| scores.scores.iter().find(|s| s.question == *id).and_then(|s| s.points_hundredths))
        .collect()
}

fn students_by_attempt(conn: &Connection, exam: &Exam) -> Result<HashMap<AttemptId, Student>, Stop> {
    Ok(exports::students(conn, exam.id)?.into_iter().map(|s| (s.attempt, s)).collect())
}

/// One row per latest submission (by the student's name, as grading lists
/// them): each question's points and the total, empty until graded.
///
/// # Errors
/// [`Stop`]: reading failed, or the client went away.
pub fn grades(conn: &Connection, exam: &Exam, grading: &Grading, format: Format, sink: Sink) -> Result<u64, Stop> {
    let mut columns = names(&[
        "student_id",
        "student_name",
        "student_email",
        "student_number",
        "section_name",
        "attempt_id",
        "submission_id",
        "submitted_at",
    ]);
    columns.extend((0..exam.question_ids.len()).map(|n| question_column(n, "points")));
    columns.extend(["total_points".to_owned(), "max_points".to_owned()]);
    let mut sheet = Sheet::open(format, columns, sink)?;
    let students = students_by_attempt(conn, exam)?;
    for row in &grading.submissions {
        let submission = &row.submission;
        let student = students.get(&submission.attempt);
        let mut cells = vec![
            Cell::show(submission.user),
            Cell::text(&submission.name),
            Cell::text(&submission.email),
            Cell::maybe(student.and_then(|s| s.student_number.as_deref())),
            Cell::maybe(student.and_then(|s| s.section.as_ref()).map(|(_, name)| name.as_str())),
            Cell::show(submission.attempt),
            Cell::show(submission.id),
            Cell::Time(Some(submission.submitted_at)),
        ];
        cells.extend(points_by_question(exam, row).into_iter().map(Cell::Points));
        cells.extend([Cell::Points(row.total_hundredths), Cell::Int(Some(max_points(exam)))]);
        sheet.row(&cells)?;
    }
    sheet.finish()
}

/// The rows a learning platform can take: candidates (guests with a link of
/// this exam) have no account there, and one unknown person makes Moodle
/// refuse a whole import.
fn importable<'a>(
    grading: &'a Grading,
    students: &'a HashMap<AttemptId, Student>,
) -> impl Iterator<Item = (&'a SubmissionScores, Option<&'a Student>)> {
    grading
        .submissions
        .iter()
        .map(|row| (row, students.get(&row.submission.attempt)))
        .filter(|(_, student)| !student.is_some_and(|s| s.candidate))
}

/// The exam's grade column in an import file: its title, made so the
/// importer cannot read it as something else. Canvas reads a header ending
/// in "(123)" as the id of an existing assignment, so a title such as
/// "Final (2026)" ends in "[2026]" here; a title that is one of the file's
/// fixed columns gets " (exam)".
fn grade_column(title: &str, fixed: &[&str]) -> String {
    let mut column = title.trim().to_owned();
    let digits_in_brackets = column
        .strip_suffix(')')
        .and_then(|head| head.rsplit_once('('))
        .filter(|(_, digits)| !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()));
    if let Some((head, digits)) = digits_in_brackets {
        column = format!("{head}[{digits}]");
    }
    if fixed.iter().any(|name| name.eq_ignore_ascii_case(&column)) {
        column.push_str(" (exam)");
    }
    column
}

/// Moodle's "Import grades from CSV": the student's name, ID number and
/// e-mail address (to map as "Email address" → "Email address"), and the
/// exam's total as one grade item named after the exam.
///
/// # Errors
/// [`Stop`]: reading failed, or the client went away.
pub fn moodle(conn: &Connection, exam: &Exam, grading: &Grading, sink: Sink) -> Result<u64, Stop> {
    const FIXED: [&str; 3] = ["Full name", "ID number", "Email address"];
    let mut columns = names(&FIXED);
    columns.push(grade_column(&exam.spec.title, &FIXED));
    let mut sheet = Sheet::open(Format::Csv, columns, sink)?;
    let students = students_by_attempt(conn, exam)?;
    for (row, student) in importable(grading, &students) {
        sheet.row(&[
            Cell::text(&row.submission.name),
            Cell::maybe(student.and_then(|s| s.student_number.as_deref())),
            Cell::text(&row.submission.email),
            Cell::Points(row.total_hundredths),
        ])?;
    }
    sheet.finish()
}

/// Canvas's gradebook import: `Student, ID, SIS User ID, SIS Login ID,
/// Section` and one assignment column named after the exam, then the
/// "Points Possible" row Canvas reads a new assignment's points from. The
/// Canvas ID is not known here and stays empty; the student number goes in
/// "SIS User ID", the e-mail in "SIS Login ID".
///
/// # Errors
/// [`Stop`]: reading failed, or the client went away.
pub fn canvas(conn: &Connection, exam: &Exam, grading: &Grading, sink: Sink) -> Result<u64, Stop> {
    const FIXED: [&str; 5] = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"];
    let mut columns = names(&FIXED);
    columns.push(grade_column(&exam.spec.title, &FIXED));
    let mut sheet = Sheet::open(Format::Csv, columns, sink)?;
    let empty = || Cell::Text(None);
    sheet.row(&[
        Cell::text("Points Possible"),
        empty(),
        empty(),
        empty(),
        empty(),
        Cell::Int(Some(max_points(exam))),
    ])?;
    let students = students_by_attempt(conn, exam)?;
    for (row, student) in importable(grading, &students) {
        sheet.row(&[
            Cell::text(&row.submission.name),
            empty(),
            Cell::maybe(student.and_then(|s| s.student_number.as_deref())),
            Cell::text(&row.submission.email),
            Cell::maybe(student.and_then(|s| s.section.as_ref()).map(|(_, name)| name.as_str())),
            Cell::Points(row.total_hundredths),
        ])?;
    }
    sheet.finish()
}

#[cfg(test)]
mod tests {
    use super::grade_column;

    #[test]
    fn the_grade_column_is_never_read_as_an_assignment_id_or_a_fixed_column() {
        let fixed = ["Student", "ID", "Section"];
        assert_eq!(grade_column("Final (2026)", &fixed), "Final [2026]");
        assert_eq!(grade_column("Final (spring)", &fixed), "Final (spring)");
        assert_eq!(grade_column("Quiz ()", &fixed), "Quiz ()");
        assert_eq!(grade_column("section", &fixed), "section (exam)");
        assert_eq!(grade_column(" Midterm ", &fixed), "Midterm");
    }
}

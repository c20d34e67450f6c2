//! The questions of an exam and their tests.
//!
//! A question keeps its identifier for its whole life: students' answers and
//! log items refer to it, so an edit updates the questions it names in place,
//! inserts the new ones and removes the ones left out, and refuses to remove
//! one that students have saved work on. Tests are replaced whole on every
//! edit: nothing refers to a test, and the editor sends them without ids.

use rusqlite::{Connection, params};

use super::StoreError;
use crate::domain::{ExamId, QuestionId, QuestionSpec, TestKind, TestSpec, Visibility};

/// Both take the same parameters: id, exam, position, title, prompt,
/// starter code, model solution, points.
const UPDATE: &str = "UPDATE questions SET position = ?3, title = ?4, prompt = ?5, starter_code = ?6,
                             model_solution = ?7, points = ?8
                      WHERE id = ?1 AND exam_id = ?2";
const INSERT: &str =
    "INSERT INTO questions (id, exam_id, position, title, prompt, starter_code, model_solution, points)
                      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

/// How [`write`] treats the identifiers the questions carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ids {
    /// Every question is new and gets a fresh identifier (a new exam, or a
    /// copy of one whose questions still carry the original's identifiers).
    Fresh,
    /// A question that names its identifier is the stored question of that
    /// identifier; one without an identifier is new.
    Keep,
}

/// Writes `questions` as exam `exam`'s questions, in order.
///
/// # Errors
/// [`StoreError::WrongState`] when a question names an identifier this exam
/// does not have (another edit removed it), or when the edit leaves out a
/// question that students have saved work on; storage errors.
pub fn write(conn: &Connection, exam: ExamId, questions: &[QuestionSpec], ids: Ids) -> Result<(), StoreError> {
    let stored = stored_ids(conn, exam)?;
    let kept = |question: &QuestionSpec| question.id.filter(|_| ids == Ids::Keep);
    for (n, question) in questions.iter().enumerate() {
        if kept(question).is_some_and(|id| !stored.contains(&id)) {
            return Err(StoreError::WrongState(format!(
                "question {} is not a question of this exam (another edit may have removed it); reload the exam and edit it again",
                n + 1
            )));
        }
    }
    let staying: Vec<QuestionId> = questions.iter().filter_map(kept).collect();
    for id in stored.iter().filter(|id| !staying.contains(id)) {
        if has_students_work(conn, exam, *id)? {
            let title: String = conn.query_row("SELECT title FROM questions WHERE id = ?1", [id], |r| r.get(0))?;
            return Err(StoreError::WrongState(format!(
                "the question \"{title}\" cannot be removed: students have saved work on it; keep it (its text may change)"
            )));
        }
        conn.execute("DELETE FROM questions WHERE id = ?1", [id])?;
    }
    // Positions are unique per exam: move the kept questions out of the way
    // first, so a reordering never collides with itself.
    conn.execute("UPDATE questions SET position = -1 - position WHERE exam_id = ?1", [exam])?;
    for (position, question) in (0_i64..).zip(questions) {
        let (id, sql) = if let Some(id) = kept(question) {
            conn.execute("DELETE FROM question_tests WHERE question_id = ?1", [id])?;
            (id, UPDATE)
        } else {
            (QuestionId::generate(), INSERT)
        };
        let text = (question.title.trim(), &question.prompt, &question.starter_code, &question.model_solution);
        conn.execute(sql, params![id, exam, position, text.0, text.1, text.2, text.3, question.points])?;
        write_tests(conn, id, &question.tests)?;
    }
    Ok(())
}

fn write_tests(conn: &Connection, question: QuestionId, tests: &[TestSpec]) -> Result<(), StoreError> {
    for (t, test) in (0_i64..).zip(tests) {
        conn.execute(
            "INSERT INTO question_tests (id, question_id, position, visibility, kind, expression, stdin, expected, ignore_trailing_ws)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                uuid::Uuid::now_v7().to_string(),
                question,
                t,
                super::enum_text(test.visibility),
                super::enum_text(test.kind),
                test.expression,
                test.stdin,
                test.expected,
                test.ignore_trailing_whitespace
            ],
        )?;
    }
    Ok(())
}

fn stored_ids(conn: &Connection, exam: ExamId) -> Result<Vec<QuestionId>, StoreError> {
    let mut statement = conn.prepare_cached("SELECT id FROM questions WHERE exam_id = ?1")?;
    Ok(statement.query_map([exam], |r| r.get(0))?.collect::<Result<_, _>>()?)
}

/// Whether any attempt at `exam` holds an answer or a log item of `question`.
/// Both lookups go through the exam's attempts, so only their rows are read.
fn has_students_work(conn: &Connection, exam: ExamId, question: QuestionId) -> Result<bool, StoreError> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM exam_sessions s JOIN answers a ON a.session_id = s.id
                        WHERE s.exam_id = ?1 AND a.question_id = ?2)
             OR EXISTS (SELECT 1 FROM exam_sessions s JOIN session_log l ON l.session_id = s.id
                        WHERE s.exam_id = ?1 AND l.question_id = ?2)",
        params![exam, question],
        |r| r.get(0),
    )?)
}

/// Exam `exam`'s questions in order, each with its identifier and tests.
///
/// # Errors
/// Storage errors.
pub fn read(conn: &Connection, exam: ExamId) -> Result<Vec<QuestionSpec>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT id, title, prompt, starter_code, model_solution, points FROM questions WHERE exam_id = ?1 ORDER BY position",
    )?;
    let mut questions = statement
        .query_map([exam], |r| {
            Ok(QuestionSpec {
                id: Some(r.get(0)?),
                title: r.get(1)?,
                prompt: r.get(2)?,
                starter_code: r.get(3)?,
                model_solution: r.get(4)?,
                points: r.get(5)?,
                tests: Vec::new(),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut tests = conn.prepare_cached(
        "SELECT visibility, kind, expression, stdin, expected, ignore_trailing_ws FROM question_tests
         WHERE question_id = ?1 ORDER BY position",
    )?;
    for question in &mut questions {
        question.tests = tests
            .query_map([question.id], |r| {
                Ok(TestSpec {
                    visibility: super::enum_from::<Visibility>(&r.get::<_, String>(0)?)?,
                    kind: super::enum_from::<TestKind>(&r.get::<_, String>(1)?)?,
                    expression: r.get(2)?,
                    stdin: r.get(3)?,
                    expected: r.get(4)?,
                    ignore_trailing_whitespace: r.get(5)?,
                })
            })?
            .collect::<Result<_, _>>()?;
    }
    Ok(questions)
}

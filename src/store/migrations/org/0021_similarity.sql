-- Similarity between an exam's submissions, kept per question.
--
-- A run is the engine's report over the submissions as they stood when it
-- ran: the report viewer's JSON, in which every submission is named by its
-- attempt's id (with the student's name beside it for display), so a pair
-- keeps its identity across runs. Runs are derived data: each can be made
-- again from the frozen submissions. One runs by itself when the exam
-- closes (at most one such run per question: the job that makes it finds
-- the questions that still lack one); staff run more on demand.
CREATE TABLE similarity_runs (
    id           TEXT PRIMARY KEY,
    exam_id      TEXT NOT NULL REFERENCES exams(id) ON DELETE CASCADE,
    question_id  TEXT NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    reason       TEXT NOT NULL CHECK (reason IN ('exam_closed', 'on_demand')),
    -- Who asked, for a run on demand; the system's run at the close has no one.
    requested_by TEXT REFERENCES users(id),
    -- When it began reading the submissions.
    ran_at       TEXT NOT NULL,
    report       TEXT NOT NULL,
    CHECK ((reason = 'on_demand') = (requested_by IS NOT NULL))
) STRICT;

CREATE INDEX similarity_runs_latest ON similarity_runs (exam_id, question_id, ran_at);

CREATE UNIQUE INDEX similarity_runs_one_at_close ON similarity_runs (exam_id, question_id)
    WHERE reason = 'exam_closed';

-- People's decisions on a pair of submissions: append-only, as decisions on
-- signals are (0014). A pair is its two attempts, the smaller id first, so
-- the order a report lists them in does not matter.
CREATE TABLE pair_reviews (
    id          TEXT PRIMARY KEY,
    exam_id     TEXT NOT NULL REFERENCES exams(id),
    question_id TEXT NOT NULL REFERENCES questions(id),
    attempt_a   TEXT NOT NULL REFERENCES exam_sessions(id),
    attempt_b   TEXT NOT NULL REFERENCES exam_sessions(id),
    decision    TEXT NOT NULL CHECK (decision IN ('dismissed', 'noted', 'referred')),
    comment     TEXT NOT NULL,
    made_by     TEXT NOT NULL REFERENCES users(id),
    made_at     TEXT NOT NULL,
    CHECK (attempt_a < attempt_b)
) STRICT;

CREATE INDEX pair_reviews_by_question ON pair_reviews (exam_id, question_id, made_at);

CREATE TRIGGER pair_reviews_are_not_changed BEFORE UPDATE ON pair_reviews
BEGIN SELECT RAISE(ABORT, 'pair reviews are append-only'); END;

CREATE TRIGGER pair_reviews_are_not_removed BEFORE DELETE ON pair_reviews
BEGIN SELECT RAISE(ABORT, 'pair reviews are append-only'); END;

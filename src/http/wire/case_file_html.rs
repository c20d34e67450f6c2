//! The case file's printable page, made from its JSON document: plain HTML
//! with its own print styles, no script and nothing fetched.

use std::fmt::Write;

use serde_json::Value;

/// Escapes text for HTML.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A field of `value` as text ("" when absent; numbers and booleans as written).
fn text(value: &Value, field: &str) -> String {
    match &value[field] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn list(value: &Value, field: &str) -> Vec<Value> {
    value[field].as_array().cloned().unwrap_or_default()
}

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}\
h1{font-size:1.5rem}h2{font-size:1.2rem;border-bottom:1px solid #999;margin-top:2rem}\
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #bbb;padding:.25rem .4rem;text-align:left;vertical-align:top}\
pre{white-space:pre-wrap;font:12px/1.35 ui-monospace,monospace;margin:0}.notice{border:2px solid #333;padding:.5rem .75rem}\
@media print{body{margin:0;max-width:none}h2{break-after:avoid}tr{break-inside:avoid}}";

/// Renders the page of `doc` (an `examhall-case-file/1` document).
#[must_use]
pub fn render(doc: &Value) -> String {
    let mut out = String::new();
    let student = &doc["student"];
    let title =
        format!("Case file: {} ({}), {}", text(student, "name"), text(student, "email"), text(&doc["exam"], "title"));
    let _ = write!(
        out,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title><style>{STYLE}</style></head><body>\
         <h1>{t}</h1><p class=\"notice\"><strong>{n}</strong></p>\
         <p>Generated at {at} (server time) by {by}. Format {f}; the same facts are in case-file.json.</p>",
        t = esc(&title),
        n = esc(&text(doc, "notice")),
        at = esc(&text(doc, "generated_at")),
        by = esc(&text(doc, "generated_by")),
        f = esc(&text(doc, "format")),
    );
    submissions(&mut out, doc);
    signals(&mut out, doc);
    pairs(&mut out, doc);
    code(&mut out, doc);
    timeline(&mut out, doc);
    out.push_str("</body></html>\n");
    out
}

fn submissions(out: &mut String, doc: &Value) {
    out.push_str("<h2>Submissions and receipts</h2>");
    let all = list(doc, "submissions");
    if all.is_empty() {
        out.push_str("<p>Not submitted.</p>");
    }
    for submission in all {
        let receipt = &submission["receipt"];
        let _ = write!(
            out,
            "<p>Submission {n} ({reason}) at {at}; receipt SHA-256 <code>{sha}</code>.</p><table><caption>Answers</caption>\
             <tr><th scope=\"col\">Question</th><th scope=\"col\">SHA-256 of the code</th></tr>",
            n = esc(&text(receipt, "number")),
            reason = esc(&text(receipt, "reason")),
            at = esc(&text(receipt, "submitted_at")),
            sha = esc(&text(&submission, "sha256")),
        );
        for answer in list(receipt, "answers") {
            let _ = write!(
                out,
                "<tr><td>{}</td><td><code>{}</code></td></tr>",
                esc(&text(&answer, "title")),
                esc(&text(&answer, "sha256"))
            );
        }
        out.push_str("</table>");
    }
}

fn decisions(out: &mut String, reviews: &[Value]) {
    if reviews.is_empty() {
        out.push_str("<p>No decision recorded.</p>");
        return;
    }
    out.push_str("<ul>");
    for review in reviews {
        let _ = write!(
            out,
            "<li>{} by {} at {}: {}</li>",
            esc(&text(review, "decision")),
            esc(&text(review, "made_by_name")),
            esc(&text(review, "made_at")),
            esc(&text(review, "comment")),
        );
    }
    out.push_str("</ul>");
}

fn signals(out: &mut String, doc: &Value) {
    out.push_str("<h2>Signals</h2>");
    let all = list(doc, "signals");
    if all.is_empty() {
        out.push_str("<p>None.</p>");
    }
    for signal in all {
        let evidence: Vec<String> = list(&signal, "evidence").iter().map(|e| text(e, "seq")).collect();
        let _ = write!(
            out,
            "<h3>{sev} severity: {kind}</h3><p>{summary}</p><p>Log items: {ev}.</p>",
            sev = esc(&text(&signal, "severity")),
            kind = esc(&text(&signal, "kind")),
            summary = esc(&text(&signal, "summary")),
            ev = esc(&evidence.join(", ")),
        );
        decisions(out, &list(&signal, "reviews"));
    }
}

fn pairs(out: &mut String, doc: &Value) {
    out.push_str("<h2>Similar submissions</h2>");
    let all = list(doc, "similar_pairs");
    if all.is_empty() {
        out.push_str("<p>None in the latest similarity runs.</p>");
    }
    for pair in all {
        let _ = write!(
            out,
            "<h3>{q}: with {other}, score {score}</h3><table><caption>Matched fragments</caption>\
             <tr><th scope=\"col\">This student</th><th scope=\"col\">{other}</th></tr>",
            q = esc(&text(&pair, "question_title")),
            other = esc(&text(&pair, "other_student")),
            score = esc(&text(&pair, "score")),
        );
        for fragment in list(&pair, "fragments") {
            let _ = write!(
                out,
                "<tr><td><pre>{}</pre></td><td><pre>{}</pre></td></tr>",
                esc(&text(&fragment, "this")),
                esc(&text(&fragment, "other"))
            );
        }
        out.push_str("</table>");
        decisions(out, &list(&pair, "reviews"));
    }
}

fn code(out: &mut String, doc: &Value) {
    out.push_str("<h2>Code as the server holds it</h2>");
    for answer in list(doc, "answers") {
        let _ = write!(out, "<h3>{}</h3><pre>{}</pre>", esc(&text(&answer, "title")), esc(&text(&answer, "code")));
    }
}

fn timeline(out: &mut String, doc: &Value) {
    out.push_str(
        "<h2>Timeline</h2><table><caption>In the server's order</caption><tr><th scope=\"col\">Server time</th>\
         <th scope=\"col\">Recorded by</th><th scope=\"col\">What</th><th scope=\"col\">Detail</th></tr>",
    );
    for item in list(doc, "timeline") {
        let mut detail = match &item["details"] {
            Value::Null => String::new(),
            other => other.to_string(),
        };
        if let Some(away) = item["away_seconds"].as_i64() {
            detail = format!("back after {away} s away; {detail}");
        }
        if let Some(inserted) = item["inserted"].as_u64() {
            detail = format!("{inserted} characters inserted");
        }
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&text(&item, "server_at")),
            esc(&text(&item, "source")),
            esc(&text(&item, "kind")),
            esc(&detail),
        );
    }
    out.push_str("</table>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_is_escaped_and_the_page_runs_nothing() {
        let doc = serde_json::json!({
            "format": "examhall-case-file/1", "notice": "n",
            "student": { "name": "<script>alert(1)</script>", "email": "a@b" }, "exam": { "title": "T & \"Q\"" },
            "answers": [{ "title": "q", "code": "</pre><img src=x onerror=alert(1)>" }],
            "timeline": [{ "source": "note", "kind": "incident_note", "server_at": "t", "details": { "note": "<b>" } }],
        });
        let page = render(&doc);
        assert!(!page.contains("<script"), "{page}");
        assert!(!page.contains("<img"), "{page}");
        assert!(!page.contains("<b>"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("T &amp; &quot;Q&quot;"));
    }
}

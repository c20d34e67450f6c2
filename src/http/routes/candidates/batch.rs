//! A batch of candidates to issue links for: JSON, or a CSV upload whose
//! settings come in the query.

use axum::body::Bytes;
use axum::http::HeaderMap;
use serde::Deserialize;
use time::OffsetDateTime;

use crate::domain::SectionId;
use crate::error::AppError;
use crate::store::candidates::Candidate;

/// Settings of a batch of links (JSON body, or the query of a CSV upload).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Settings {
    pub(super) section_id: SectionId,
    #[serde(with = "time::serde::rfc3339")]
    pub(super) valid_from: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub(super) valid_until: OffsetDateTime,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonBatch {
    #[serde(flatten)]
    settings: Settings,
    candidates: Vec<Candidate>,
}

/// The query of a CSV upload: the settings, as text.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct SettingsQuery {
    section_id: Option<String>,
    valid_from: Option<String>,
    valid_until: Option<String>,
}

impl SettingsQuery {
    fn settings(self) -> Result<Settings, AppError> {
        let missing = || AppError::Unprocessable("give section_id, valid_from and valid_until in the query".to_owned());
        let value = serde_json::json!({
            "section_id": self.section_id.ok_or_else(missing)?,
            "valid_from": self.valid_from.ok_or_else(missing)?,
            "valid_until": self.valid_until.ok_or_else(missing)?,
        });
        serde_json::from_value(value).map_err(|e| AppError::Unprocessable(format!("the query: {e}")))
    }
}

/// The settings and candidates of a request, from JSON or CSV.
pub(super) fn parse_batch(
    headers: &HeaderMap,
    query: SettingsQuery,
    body: &Bytes,
) -> Result<(Settings, Vec<Candidate>), AppError> {
    let media = super::super::media_type(headers);
    if media == "application/json" {
        let batch: JsonBatch =
            serde_json::from_slice(body).map_err(|e| AppError::Unprocessable(format!("the request body: {e}")))?;
        return Ok((batch.settings, batch.candidates));
    }
    if media != "text/csv" {
        return Err(AppError::UnsupportedMediaType);
    }
    let settings = query.settings()?;
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(body.as_ref());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| AppError::Unprocessable(format!("the CSV header: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    let name = headers
        .iter()
        .position(|h| h == "name")
        .ok_or_else(|| AppError::Unprocessable("the CSV header must name the column `name`".to_owned()))?;
    let number = headers.iter().position(|h| h == "student_number");
    let mut list = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| AppError::Unprocessable(format!("CSV line {}: {e}", n + 2)))?;
        let label = record.get(name).unwrap_or_default();
        crate::domain::DisplayName::parse(label)
            .map_err(|e| AppError::Unprocessable(format!("CSV line {}: {}", n + 2, e.0)))?;
        list.push(Candidate {
            label: record.get(name).unwrap_or_default().to_owned(),
            student_number: number.and_then(|i| record.get(i)).map(str::to_owned),
        });
    }
    Ok((settings, list))
}

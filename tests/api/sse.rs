//! Server-sent events as a page reads them: the monitor's and the
//! announcements' streams.

use std::time::Duration;

use serde_json::Value;

use crate::helpers::TestApp;
use crate::people::Caller;

/// An open event stream.
pub struct EventStream {
    response: reqwest::Response,
    buffer: String,
}

impl EventStream {
    /// Opens the stream at `path` as `caller`; it must answer 200 with events.
    pub async fn open(app: &TestApp, caller: &Caller, path: &str) -> Self {
        let response = app.as_(caller).raw(reqwest::Method::GET, path, None).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Self { response, buffer: String::new() }
    }

    /// The next raw chunk of the stream; `None` once it ended.
    pub async fn chunk(&mut self) -> Option<String> {
        let chunk = self.response.chunk().await.ok()??;
        Some(String::from_utf8_lossy(&chunk).into_owned())
    }

    /// The next event that `skip` does not pass over (rows sent again when a
    /// monitor summary is derived, say), waiting at most 5 s for each.
    pub async fn next_except(&mut self, skip: impl Fn(&str, &Value) -> bool) -> (String, Value) {
        loop {
            let (kind, data) = self.next().await;
            if !skip(&kind, &data) {
                return (kind, data);
            }
        }
    }

    /// The next event (its name and data), waiting at most 5 s.
    pub async fn next(&mut self) -> (String, Value) {
        let read = async {
            loop {
                if let Some(end) = self.buffer.find("\n\n") {
                    let block: String = self.buffer.drain(..end + 2).collect();
                    let field = |name: &str| block.lines().find_map(|l| l.strip_prefix(name).map(str::to_owned));
                    // A comment (the keep-alive) has neither.
                    if let (Some(event), Some(data)) = (field("event: "), field("data: ")) {
                        return (event, serde_json::from_str(&data).unwrap());
                    }
                    continue;
                }
                let chunk = self.response.chunk().await.unwrap().expect("the stream stays open");
                self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
            }
        };
        tokio::time::timeout(Duration::from_secs(5), read).await.expect("an event within 5 s")
    }
}

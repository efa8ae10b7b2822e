//! The fleet's activity on the server: the decision logs every edge
//! shipped, analyzed there by the same analysis the sandbox runs on
//! imported files.

use super::server::Server;
use clearance_core::Problem;
use clearance_core::activity::Report;
use gloo_net::http::Request;

impl Server {
    /// Analyzes the decision logs the edges shipped (the server keeps the
    /// findings); the report.
    ///
    /// # Errors
    /// The server's refusal.
    pub async fn analyze_fleet(self) -> Result<Report, Vec<Problem>> {
        self.ask(Request::post("/v1/activity/analyze"), &serde_json::json!({})).await
    }
}

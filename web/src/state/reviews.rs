//! Access reviews on the server, as the signed-in admin: the campaigns,
//! starting one, an item's verdict, closing (its revocations become a
//! change request the server lists with the others).

use super::AppState;
use super::server::{Server, segment};
use clearance_core::Problem;
use clearance_core::change::review::{Campaign, Verdict};
use gloo_net::http::Request;
use serde_json::json;

impl Server {
    /// Every campaign, oldest first.
    ///
    /// # Errors
    /// The server's refusal.
    pub async fn campaigns(self) -> Result<Vec<Campaign>, Vec<Problem>> {
        self.read("/v1/reviews").await
    }

    /// Starts a campaign over the current version, due at `due` (RFC 3339);
    /// one `reviewer` for every item, else each user's manager.
    ///
    /// # Errors
    /// The server's refusal (`bad_value` for a due date that is not a time).
    pub async fn start_review(self, due: &str, reviewer: Option<&str>) -> Result<(), Vec<Problem>> {
        let mut body = json!({"due": due});
        if let Some(reviewer) = reviewer {
            body["reviewer"] = json!(reviewer);
        }
        self.changed(Request::post("/v1/reviews"), &body).await
    }

    /// The item's reviewer keeps or revokes it.
    ///
    /// # Errors
    /// The server's refusal (`not_the_reviewer`, `bad_item`).
    pub async fn decide_item(self, campaign: &str, item: u32, verdict: Verdict) -> Result<(), Vec<Problem>> {
        let path = format!("/v1/reviews/{}/items/{item}", segment(campaign));
        self.changed(Request::post(&path), &json!({ "verdict": verdict })).await
    }

    /// Its owner closes the campaign; the requests are read again, as the
    /// revocations became one.
    ///
    /// # Errors
    /// The server's refusal (`not_the_owner`, `bad_item`).
    pub async fn close_review(self, state: AppState, campaign: &str) -> Result<(), Vec<Problem>> {
        let path = format!("/v1/reviews/{}/close", segment(campaign));
        self.changed(Request::post(&path), &json!({})).await?;
        self.refresh(state).await;
        Ok(())
    }
}

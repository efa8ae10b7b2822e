//! Access reviews over HTTP, acting as the signed-in admin through the one
//! sequencer: start a campaign, decide its items (each item's reviewer
//! only), close it (its owner only) — its revocations become a change
//! request, which someone other than the closer must approve.

use crate::api_error::ApiError;
use crate::auth::Admin;
use crate::cached::Cached;
use crate::routes::{refusal_recorded, request_json, sequenced};
use crate::{App, Body, json_body};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use clearance_core::Error;
use clearance_core::change::review::{Reviewers, Verdict};
use clearance_core::change::steps;
use serde_json::{Value, json};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NewReview {
    due: String,
    /// One reviewer for every item; each user's manager by default.
    #[serde(default)]
    reviewer: Option<String>,
}

/// `POST /v1/reviews {due, reviewer?}`: starts a campaign over the current version.
pub async fn start(State(app): State<App>, Admin(session): Admin, Body(body): Body) -> Result<(StatusCode, Json<Value>), ApiError> {
    let NewReview { due, reviewer } = json_body(&body)?;
    if clearance_core::parse_rfc3339(&due).is_none() {
        return Err(Error::one("/due", clearance_core::error::code::BAD_VALUE, format!("`{due}` is not an rfc 3339 time")).into());
    }
    let reviewers = reviewer.map_or(Reviewers::Manager, Reviewers::Named);
    let user = session.user.clone();
    let result = sequenced(&app, move |s: &mut Cached<'_>, at: &str| steps::start_review(s, &user, &due, &reviewers, at)).await;
    let campaign = refusal_recorded(&app, &session.user, "start_review", "reviews", result).await?;
    Ok((StatusCode::CREATED, Json(serde_json::to_value(&campaign).unwrap_or_default())))
}

/// `GET /v1/reviews`: every campaign, oldest first.
pub async fn list(State(app): State<App>, _admin: Admin) -> Result<Json<Value>, ApiError> {
    let campaigns = app.db.read(|s| s.campaigns()).await?;
    Ok(Json(serde_json::to_value(campaigns).unwrap_or_default()))
}

/// `GET /v1/reviews/{id}`.
pub async fn show(State(app): State<App>, _admin: Admin, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let campaign = app.db.read(move |s| s.campaign(&id)).await?;
    Ok(Json(serde_json::to_value(campaign).unwrap_or_default()))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Decision {
    verdict: Verdict,
    #[serde(default)]
    comment: String,
}

/// `POST /v1/reviews/{id}/items/{item} {verdict: keep|revoke, comment?}`: the item's reviewer decides.
pub async fn decide(
    State(app): State<App>,
    Admin(session): Admin,
    Path((id, item)): Path<(String, u32)>,
    Body(body): Body,
) -> Result<Json<Value>, ApiError> {
    let Decision { verdict, comment } = json_body(&body)?;
    let (user, campaign) = (session.user.clone(), id.clone());
    let result = sequenced(&app, move |s: &mut Cached<'_>, at: &str| steps::decide(s, &campaign, item, verdict, &user, &comment, at)).await;
    let campaign = refusal_recorded(&app, &session.user, "decide", &id, result).await?;
    let decided = campaign.items.iter().find(|i| i.id == item).map(|i| serde_json::to_value(i).unwrap_or_default());
    Ok(Json(decided.unwrap_or_default()))
}

/// `POST /v1/reviews/{id}/close`: its owner closes it; revocations become a change request.
pub async fn close(State(app): State<App>, Admin(session): Admin, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let (user, campaign) = (session.user.clone(), id.clone());
    let result = sequenced(&app, move |s: &mut Cached<'_>, at: &str| steps::close_review(s, &campaign, &user, at)).await;
    let (campaign, request) = refusal_recorded(&app, &session.user, "close_review", &id, result).await?;
    Ok(Json(json!({"campaign": campaign.id, "closed_at": campaign.closed_at, "request": request.as_ref().map(request_json)})))
}

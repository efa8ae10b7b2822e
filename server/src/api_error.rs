//! Errors as the API answers them: `{code, message, errors: [{path, code,
//! message}]}` with the status the code calls for. The first problem's code
//! is the answer's; every problem is listed.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use clearance_core::Error;
use clearance_core::change::request::codes;

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(error: Error) -> ApiError {
        ApiError(error)
    }
}

/// The status a code answers with.
pub fn status_of(code: &str) -> StatusCode {
    match code {
        "unauthenticated" | "session_expired" | "bad_credentials" | "mfa_code_required" | "bad_token" => StatusCode::UNAUTHORIZED,
        "csrf_refused"
        | "forbidden"
        | "mfa_required"
        | "ip_not_allowed"
        | "outside_login_hours"
        | "inactive_user"
        | "password_expired"
        | "token_scope"
        | "token_not_allowed"
        | codes::SELF_APPROVAL
        | codes::SELF_APPLY
        | codes::NOT_AN_APPROVER
        | codes::NOT_THE_AUTHOR
        | "not_the_owner"
        | "not_the_reviewer" => StatusCode::FORBIDDEN,
        "unknown_request" | "unknown_version" | "unknown_campaign" | "unknown_revision" | "not_found" => StatusCode::NOT_FOUND,
        "bad_item" => StatusCode::CONFLICT,
        codes::BAD_STATE | codes::STALE_REQUEST | codes::ALREADY_APPROVED | "has_version" => StatusCode::CONFLICT,
        "locked_out" | "rate_limited" => StatusCode::TOO_MANY_REQUESTS,
        "payload_too_large" => StatusCode::PAYLOAD_TOO_LARGE,
        "internal" | "db_error" | "no_version" | "no_state" => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// The JSON body of an error.
pub fn body(error: &Error) -> serde_json::Value {
    let problems = error.problems();
    let first = problems.first();
    serde_json::json!({
        "code": first.map_or("internal", |p| p.code.as_str()),
        "message": first.map_or_else(String::new, |p| p.message.clone()),
        "errors": problems.iter().map(|p| serde_json::json!({"path": p.path, "code": p.code, "message": p.message})).collect::<Vec<_>>(),
    })
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = body(&self.0);
        let status = status_of(body["code"].as_str().unwrap_or_default());
        let mut response = (status, axum::Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Cookie"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_statuses() {
        assert_eq!(status_of("self_approval"), StatusCode::FORBIDDEN);
        assert_eq!(status_of("self_apply"), StatusCode::FORBIDDEN);
        assert_eq!(status_of("ip_not_allowed"), StatusCode::FORBIDDEN);
        assert_eq!(status_of("mfa_required"), StatusCode::FORBIDDEN);
        assert_eq!(status_of("bad_state"), StatusCode::CONFLICT);
        assert_eq!(status_of("unknown_request"), StatusCode::NOT_FOUND);
        assert_eq!(status_of("session_expired"), StatusCode::UNAUTHORIZED);
        assert_eq!(status_of("locked_out"), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(status_of("db_error"), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(status_of("bad_value"), StatusCode::BAD_REQUEST);
        let error = Error::one("/changes/0", "bad_value", "no");
        assert_eq!(
            body(&error),
            serde_json::json!({"code": "bad_value", "message": "no", "errors": [{"path": "/changes/0", "code": "bad_value", "message": "no"}]})
        );
    }
}

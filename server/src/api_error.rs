//! Errors as the API answers them: `{code, message, errors: [{path, code,
//! message}]}` with the status the code calls for. The first problem's code
//! is the answer's; every problem is listed.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use clearance_core::Code;
use clearance_core::Error;

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(error: Error) -> ApiError {
        ApiError(error)
    }
}

/// The status a code answers with (a code this version does not know, or
/// one of the input's own: 400).
pub fn status_of(code: &str) -> StatusCode {
    let Some(code) = Code::from_wire(code) else { return StatusCode::BAD_REQUEST };
    match code {
        Code::Unauthenticated | Code::SessionExpired | Code::BadCredentials | Code::MfaCodeRequired | Code::BadToken => {
            StatusCode::UNAUTHORIZED
        }
        Code::CsrfRefused
        | Code::Forbidden
        | Code::MfaRequired
        | Code::IpNotAllowed
        | Code::OutsideLoginHours
        | Code::InactiveUser
        | Code::PasswordExpired
        | Code::TokenScope
        | Code::TokenNotAllowed
        | Code::SelfApproval
        | Code::SelfApply
        | Code::NotAnApprover
        | Code::NotTheAuthor
        | Code::NotTheOwner
        | Code::NotTheReviewer => StatusCode::FORBIDDEN,
        Code::UnknownRequest
        | Code::UnknownVersion
        | Code::UnknownCampaign
        | Code::UnknownRevision
        | Code::NotFound
        | Code::AppNotFound => StatusCode::NOT_FOUND,
        Code::BadItem | Code::BadState | Code::StaleRequest | Code::AlreadyApproved | Code::HasVersion => StatusCode::CONFLICT,
        Code::LockedOut | Code::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        Code::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        Code::Internal | Code::DbError | Code::NoVersion | Code::NoState => StatusCode::INTERNAL_SERVER_ERROR,
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
        let error = Error::one("/changes/0", clearance_core::Code::BadValue, "no");
        assert_eq!(
            body(&error),
            serde_json::json!({"code": "bad_value", "message": "no", "errors": [{"path": "/changes/0", "code": "bad_value", "message": "no"}]})
        );
    }
}

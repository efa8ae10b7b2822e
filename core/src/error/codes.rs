//! Every stable error code, as one enum: a `match` over codes is checked
//! by the compiler, and a misspelt code does not compile. The wire strings
//! (`as_str`) are part of the public contract — tools match on them — so a
//! code is never renamed once released; new ones are added (the enum is
//! `#[non_exhaustive]` for that reason).

macro_rules! codes {
    ($($(#[doc = $doc:literal])+ $variant:ident = $wire:literal,)+) => {
        /// A stable error code (see the module's documentation).
        #[non_exhaustive]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)+];

            /// The code as it appears in JSON, on the wire and in messages.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $wire,)+
                }
            }
        }
    };
}

codes! {
    // The input's shape.
    /// The input is not well-formed JSON.
    JsonSyntax = "json_syntax",
    /// A value has the wrong JSON type (a string where a list belongs).
    BadType = "bad_type",
    /// A value is of the right type but not one of the allowed ones.
    BadValue = "bad_value",
    /// A key that the format does not know (typos are never ignored); and a
    /// bundle signed by a key the loader does not trust.
    UnknownKey = "unknown_key",
    /// A required key is absent.
    MissingKey = "missing_key",
    /// Two items of one kind share an id.
    DuplicateId = "duplicate_id",
    /// An id is empty.
    EmptyId = "empty_id",
    /// The policy file's `version` is not one this engine reads.
    UnsupportedVersion = "unsupported_version",
    /// More data than one dataset holds.
    TooLarge = "too_large",
    /// A test expectation is malformed.
    BadExpectation = "bad_expectation",
    /// A decision event line does not decode.
    BadEvent = "bad_event",
    // References.
    /// A user names a role that does not exist.
    UnknownRole = "unknown_role",
    /// A department that does not exist.
    UnknownDepartment = "unknown_department",
    /// A user that does not exist.
    UnknownUser = "unknown_user",
    /// A group that does not exist.
    UnknownGroup = "unknown_group",
    /// A profile that does not exist.
    UnknownProfile = "unknown_profile",
    /// A permission set that does not exist.
    UnknownPermissionSet = "unknown_permission_set",
    /// An object type that the schema does not declare.
    UnknownObject = "unknown_object",
    /// An action that is neither built in nor declared in the schema.
    UnknownAction = "unknown_action",
    /// A field that the object does not declare.
    UnknownField = "unknown_field",
    /// A record id that is not in the loaded dataset.
    UnknownRecord = "unknown_record",
    /// A sharing or forbid rule that does not exist.
    UnknownRule = "unknown_rule",
    /// A change request that does not exist.
    UnknownRequest = "unknown_request",
    /// A policy version that does not exist.
    UnknownVersion = "unknown_version",
    /// An access-review campaign that does not exist.
    UnknownCampaign = "unknown_campaign",
    /// An activity finding that does not exist.
    UnknownFinding = "unknown_finding",
    /// A bundle revision the server does not hold.
    UnknownRevision = "unknown_revision",
    /// Nothing at this address.
    NotFound = "not_found",
    /// The server was started without the admin app's files.
    AppNotFound = "app_not_found",
    // The policy's meaning.
    /// The role tree has a cycle.
    CycleInRoles = "cycle_in_roles",
    /// The department tree has a cycle.
    CycleInDepartments = "cycle_in_departments",
    /// Groups contain each other in a cycle.
    CycleInGroups = "cycle_in_groups",
    /// Objects are each other's parents in a cycle.
    CycleInParents = "cycle_in_parents",
    /// An IP range is not valid CIDR notation.
    BadCidr = "bad_cidr",
    /// Login hours are malformed (day names, `HH:MM` times, start before end).
    BadHours = "bad_hours",
    /// A condition does not parse.
    ConditionSyntax = "condition_syntax",
    /// A condition nests deeper than the documented limit, or is too long.
    ConditionTooComplex = "condition_too_complex",
    /// A comparison the schema shows can never hold.
    TypeMismatch = "type_mismatch",
    /// A sharing rule must have exactly one of `owned_by` and `criteria`.
    BadRule = "bad_rule",
    /// A name clashes with a built-in one.
    ReservedName = "reserved_name",
    /// A parent link is malformed (missing field, wrong object).
    BadParent = "bad_parent",
    /// A condition has no SQL translation.
    NotTranslatable = "not_translatable",
    // Questions.
    /// A request for a record-bound action names no record.
    RecordRequired = "record_required",
    /// A record's object differs from the request's object.
    ObjectMismatch = "object_mismatch",
    /// A dataset loaded by one engine was given to another.
    ForeignDataset = "foreign_dataset",
    /// A handle from another engine, or not a handle.
    BadHandle = "bad_handle",
    /// More distinct contexts than one engine keeps.
    TooManyContexts = "too_many_contexts",
    // Bundles.
    /// Not a bundle, or truncated, or its parts do not decode.
    BadBundle = "bad_bundle",
    /// The bundle was written without its policy, which lint and diff need.
    NoPolicy = "no_policy",
    /// The signature does not verify.
    BadSignature = "bad_signature",
    /// A signature was required and the bundle has none.
    UnsignedBundle = "unsigned_bundle",
    /// A key that is not an Ed25519 key.
    BadKey = "bad_key",
    /// The bundle was written by another engine version.
    BundleVersion = "bundle_version",
    /// The bundle is older than a revision the loader was told to expect.
    StaleBundle = "stale_bundle",
    /// The bundle is past its `not_after`.
    ExpiredBundle = "expired_bundle",
    /// The bundle is signed by a key retired before it was issued.
    RetiredKey = "retired_key",
    // Change control.
    /// A removal of something still in use.
    InUse = "in_use",
    /// An edit that changes nothing.
    NoEffect = "no_effect",
    /// A step the request's state does not allow.
    BadState = "bad_state",
    /// An author approving their own request.
    SelfApproval = "self_approval",
    /// An approval by someone the policy does not let approve.
    NotAnApprover = "not_an_approver",
    /// An imported history shorter than the one kept.
    HistoryShorter = "history_shorter",
    /// An imported history that departs from the one kept.
    HistoryDiverges = "history_diverges",
    /// A second approval by the same approver.
    AlreadyApproved = "already_approved",
    /// A request made against a version that is no longer current.
    StaleRequest = "stale_request",
    /// A step only the request's author may take.
    NotTheAuthor = "not_the_author",
    /// An author applying their own request without the policy allowing it.
    SelfApply = "self_apply",
    /// A state that already has a version, asked to start again.
    HasVersion = "has_version",
    /// A state with no version yet.
    NoVersion = "no_version",
    /// A review item decided by someone other than its reviewer.
    NotTheReviewer = "not_the_reviewer",
    /// A campaign closed by someone other than its owner.
    NotTheOwner = "not_the_owner",
    /// A review item that does not exist or was decided.
    BadItem = "bad_item",
    /// A finding with no reaction to propose.
    NoReaction = "no_reaction",
    // The audit log.
    /// The hash chain does not verify.
    BrokenChain = "broken_chain",
    /// A checkpoint signed by another key than the one trusted.
    KeyChanged = "key_changed",
    // Storage and the process.
    /// The database refused or failed.
    DbError = "db_error",
    /// No state where one was expected (never an empty one instead).
    NoState = "no_state",
    /// A file could not be read or written.
    IoError = "io_error",
    /// A command used wrongly.
    Usage = "usage",
    /// The server failed; not the caller's doing.
    Internal = "internal",
    /// The server is missing its checkpoint signing key.
    NoCheckpointKey = "no_checkpoint_key",
    /// The server is missing its bundle signing key.
    NoBundleKey = "no_bundle_key",
    /// A step was rolled back.
    RolledBack = "rolled_back",
    // Admins and their sessions.
    /// No session, or one that does not exist.
    Unauthenticated = "unauthenticated",
    /// The session timed out.
    SessionExpired = "session_expired",
    /// A state-changing request without the session's CSRF token.
    CsrfRefused = "csrf_refused",
    /// A wrong user or password.
    BadCredentials = "bad_credentials",
    /// Too many failures: the account waits.
    LockedOut = "locked_out",
    /// The password is older than the policy allows.
    PasswordExpired = "password_expired",
    /// A password the policy refuses.
    WeakPassword = "weak_password",
    /// The two passwords typed differ.
    PasswordsDiffer = "passwords_differ",
    /// The second factor's code is needed.
    MfaCodeRequired = "mfa_code_required",
    /// A wrong second-factor code.
    BadCode = "bad_code",
    /// No enrollment in progress.
    NotEnrolling = "not_enrolling",
    /// An API token that is unknown, expired or revoked.
    BadToken = "bad_token",
    /// The token lacks the scope the route needs.
    TokenScope = "token_scope",
    /// A route that needs a signed-in session, not a token.
    TokenNotAllowed = "token_not_allowed",
    /// Too many attempts from one place.
    RateLimited = "rate_limited",
    /// A body over the size limit.
    PayloadTooLarge = "payload_too_large",
    // The org's own session rules, applied to an admin (the decision stages' names).
    /// The user is inactive.
    InactiveUser = "inactive_user",
    /// The session lacks the MFA the policy requires.
    MfaRequired = "mfa_required",
    /// The address is outside the policy's IP ranges.
    IpNotAllowed = "ip_not_allowed",
    /// Outside the policy's login hours.
    OutsideLoginHours = "outside_login_hours",
    /// A forbid rule denies it.
    Forbidden = "forbidden",
    /// No grant allows it.
    NoPrivilege = "no_privilege",
    /// No path gives access to the record.
    NoRecordAccess = "no_record_access",
    /// The field may be read but not edited.
    FieldNotEditable = "field_not_editable",
    // Talking to a server.
    /// The server answered with an error it did not explain.
    ServerError = "server_error",
    /// The server could not be reached.
    ServerUnreachable = "server_unreachable",
}

impl Code {
    /// The code a wire string names, if this version knows it.
    pub fn from_wire(text: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == text)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<Code> for String {
    fn eq(&self, code: &Code) -> bool {
        self == code.as_str()
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, text: &&str) -> bool {
        self.as_str() == *text
    }
}

impl PartialEq<Code> for &str {
    fn eq(&self, code: &Code) -> bool {
        *self == code.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_strings_are_unique_lowercase_and_read_back() {
        let mut seen = std::collections::BTreeSet::new();
        for &code in Code::ALL {
            let wire = code.as_str();
            assert!(seen.insert(wire), "`{wire}` twice");
            assert!(wire.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "`{wire}`");
            assert_eq!(Code::from_wire(wire), Some(code));
            assert_eq!(code.to_string(), wire);
        }
        assert_eq!(Code::from_wire("no_such_code"), None);
        // A problem's code reads back as the variant it was made with; a peer's unknown code is kept, not guessed.
        let made = crate::Error::one("/a", Code::UnknownRole, "unknown role `x`");
        assert_eq!(
            (made.kind(), made.problems()[0].kind(), made.code()),
            (Some(Code::UnknownRole), Some(Code::UnknownRole), "unknown_role")
        );
        let decoded = crate::Problem::decoded("", "from_the_future", "m");
        assert_eq!((decoded.kind(), decoded.code.as_str()), (None, "from_the_future"));
        assert_eq!(crate::Error::new(vec![decoded]).kind(), None);
        let owned = String::from("json_syntax");
        assert!("bad_value" == Code::BadValue && owned == Code::JsonSyntax && Code::BadType == "bad_type");
        assert!(owned != Code::BadValue && "bad_type" != Code::BadValue && Code::BadType != "bad_value");
    }
}

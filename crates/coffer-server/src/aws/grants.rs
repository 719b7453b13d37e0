//! The grant operations end to end: decode the wire request, check the model's
//! constraints, call the service, encode the wire response. As in
//! [`map`](crate::aws::map), no rule of the service lives here.

use coffer_kms::ops::create_grant::CreateGrantRequest;
use coffer_kms::ops::grant::GrantList;
use coffer_kms::ops::list_grants::ListGrantsRequest;
use coffer_kms::ops::retire_grant::RetireGrantRequest;
use coffer_kms::{Caller, Kms};
use serde::Serialize;

use crate::aws::error::{AwsError, from_kms};
use crate::aws::grant_shapes as wire;
use crate::aws::map::decode;
use crate::aws::shapes::{self, Constraints, present};

/// The model's pattern of a principal.
const PRINCIPAL_PATTERN: &str = r"^[\w+=,.@:/-]+$";

/// The model's pattern of a grant name.
const NAME_PATTERN: &str = "^[a-zA-Z0-9:/_-]+$";

fn principal_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@:/-".contains(c)
}

fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || ":/_-".contains(c)
}

/// A principal member: 1 to 256 characters of the model's pattern.
fn principal(c: &mut Constraints, value: Option<&str>, member: &str) {
    c.length(value, member, 1, 256).pattern(value, member, principal_char, PRINCIPAL_PATTERN);
}

/// Encodes a response.
fn out(value: impl Serialize, request_id: &str) -> Result<Vec<u8>, AwsError> {
    crate::aws::shapes::to_json(&value).map_err(|e| AwsError::internal(request_id, &e))
}

/// A page of grants.
fn grant_page(list: GrantList, request_id: &str) -> Result<Vec<u8>, AwsError> {
    let grants = list.grants.into_iter().map(wire::GrantListEntry::from).collect();
    out(shapes::Page::new(wire::Grants { grants }, list.next_marker), request_id)
}

/// CreateGrant.
pub fn create_grant(
    kms: &Kms,
    caller: &Caller,
    input: &[u8],
    rid: &str,
) -> Result<Vec<u8>, AwsError> {
    let i: wire::CreateGrantInput = decode(input)?;
    let mut c = Constraints::default();
    c.required(&i.key_id, "keyId").key_id(i.key_id.as_deref(), "keyId");
    c.required(&i.grantee_principal, "granteePrincipal");
    principal(&mut c, i.grantee_principal.as_deref(), "granteePrincipal");
    principal(&mut c, i.retiring_principal.as_deref(), "retiringPrincipal");
    c.required(&i.operations, "operations").grant_tokens(i.grant_tokens.as_deref());
    c.length(i.name.as_deref(), "name", 1, 256).pattern(
        i.name.as_deref(),
        "name",
        name_char,
        NAME_PATTERN,
    );
    c.check()?;
    let req = CreateGrantRequest {
        key_id: present(i.key_id, "keyId")?,
        grantee_principal: present(i.grantee_principal, "granteePrincipal")?,
        retiring_principal: i.retiring_principal,
        operations: present(i.operations, "operations")?,
        constraints: i.constraints.map(Into::into),
        grant_tokens: i.grant_tokens.unwrap_or_default(),
        name: i.name,
        dry_run: i.dry_run.unwrap_or(false),
    };
    let r = kms.create_grant(caller, req).map_err(|e| from_kms(&e, rid))?;
    out(wire::CreateGrantOutput { grant_token: r.grant_token, grant_id: r.grant_id }, rid)
}

/// ListGrants.
pub fn list_grants(
    kms: &Kms,
    caller: &Caller,
    input: &[u8],
    rid: &str,
) -> Result<Vec<u8>, AwsError> {
    let i: wire::ListGrantsInput = decode(input)?;
    let mut c = Constraints::default();
    c.marker(i.marker.as_deref());
    c.required(&i.key_id, "keyId").key_id(i.key_id.as_deref(), "keyId");
    c.length(i.grant_id.as_deref(), "grantId", 1, 128);
    principal(&mut c, i.grantee_principal.as_deref(), "granteePrincipal");
    c.check()?;
    let req = ListGrantsRequest {
        key_id: present(i.key_id, "keyId")?,
        grant_id: i.grant_id,
        grantee_principal: i.grantee_principal,
        limit: i.limit,
        marker: i.marker,
    };
    let list = kms.list_grants(caller, req).map_err(|e| from_kms(&e, rid))?;
    grant_page(list, rid)
}

/// ListRetirableGrants.
pub fn list_retirable_grants(
    kms: &Kms,
    caller: &Caller,
    input: &[u8],
    rid: &str,
) -> Result<Vec<u8>, AwsError> {
    let i: wire::ListRetirableGrantsInput = decode(input)?;
    let mut c = Constraints::default();
    c.marker(i.marker.as_deref()).required(&i.retiring_principal, "retiringPrincipal");
    principal(&mut c, i.retiring_principal.as_deref(), "retiringPrincipal");
    c.check()?;
    let retiring = present(i.retiring_principal, "retiringPrincipal")?;
    let list = kms
        .list_retirable_grants(caller, &retiring, i.limit, i.marker.as_deref())
        .map_err(|e| from_kms(&e, rid))?;
    grant_page(list, rid)
}

/// RetireGrant.
pub fn retire_grant(
    kms: &Kms,
    caller: &Caller,
    input: &[u8],
    rid: &str,
) -> Result<Vec<u8>, AwsError> {
    let i: wire::RetireGrantInput = decode(input)?;
    Constraints::default()
        .length(i.grant_token.as_deref(), "grantToken", 1, 8192)
        .key_id(i.key_id.as_deref(), "keyId")
        .length(i.grant_id.as_deref(), "grantId", 1, 128)
        .check()?;
    let req = RetireGrantRequest {
        grant_token: i.grant_token,
        key_id: i.key_id,
        grant_id: i.grant_id,
        dry_run: i.dry_run.unwrap_or(false),
    };
    kms.retire_grant(caller, req).map_err(|e| from_kms(&e, rid))?;
    out(shapes::Empty {}, rid)
}

/// RevokeGrant.
pub fn revoke_grant(
    kms: &Kms,
    caller: &Caller,
    input: &[u8],
    rid: &str,
) -> Result<Vec<u8>, AwsError> {
    let i: wire::RevokeGrantInput = decode(input)?;
    Constraints::default()
        .required(&i.key_id, "keyId")
        .key_id(i.key_id.as_deref(), "keyId")
        .required(&i.grant_id, "grantId")
        .length(i.grant_id.as_deref(), "grantId", 1, 128)
        .check()?;
    let key_id = present(i.key_id, "keyId")?;
    let grant_id = present(i.grant_id, "grantId")?;
    kms.revoke_grant(caller, &key_id, &grant_id, i.dry_run.unwrap_or(false))
        .map_err(|e| from_kms(&e, rid))?;
    out(shapes::Empty {}, rid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_and_names_follow_the_model_patterns() {
        let mut c = Constraints::default();
        principal(
            &mut c,
            Some("arn:aws:iam::111122223333:user/a.b@c+d=e,f_g-h"),
            "granteePrincipal",
        );
        assert!(c.check().is_ok());
        let mut c = Constraints::default();
        principal(&mut c, Some("a b"), "granteePrincipal");
        assert_eq!(
            c.check().unwrap_err().message.unwrap(),
            r"1 validation error detected: Value 'a b' at 'granteePrincipal' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\w+=,.@:/-]+$"
        );
        assert!(name_char('-') && !name_char('.') && !name_char(' '));
    }
}

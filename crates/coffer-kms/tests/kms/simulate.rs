//! Simulation against the live state: who may ask, and the decision with its context.

use coffer_kms::KmsError;
use coffer_kms::simulate::SimulateRequest;
use coffer_policy::Context;
use coffer_policy::decision::Outcome;

use crate::support::*;

fn ask(principal: &str, action: &str, key: Option<&str>) -> SimulateRequest {
    SimulateRequest {
        principal_arn: principal.into(),
        action: action.into(),
        key_id: key.map(str::to_owned),
        ..Default::default()
    }
}

#[test]
fn the_root_user_simulates_any_principal_of_its_account() {
    let env = Env::new();
    let key = env.key();
    env.kms.create_alias(&env.admin(), "alias/sim", &key.key_id).unwrap();
    let root = env.root();
    let allowed =
        env.kms.simulate(&root, ask(ALICE_ARN, "kms:Encrypt", Some("alias/sim"))).unwrap();
    assert_eq!(allowed.decision.decision, Outcome::Allow);
    assert_eq!(allowed.resource, key.arn);
    assert_eq!(allowed.context.get("kms:requestalias").unwrap().values(), ["alias/sim"]);
    assert_eq!(allowed.context.get("aws:username").unwrap().values(), ["alice"]);
    let denied = env.kms.simulate(&root, ask(ALICE_ARN, "kms:Decrypt", Some(&key.key_id))).unwrap();
    assert_eq!(denied.decision.decision, Outcome::ImplicitDeny);
    assert_eq!(
        denied.decision.phrase.as_deref(),
        Some("because no identity-based policy allows the kms:Decrypt action")
    );
    // Nothing was done as alice: only the asker's own authorization is recorded.
    assert_eq!(root.take_decisions().len(), 2);
}

#[test]
fn overrides_replace_computed_keys() {
    let env = Env::new();
    let key = env.key();
    let mut req = ask(ADMIN_ARN, "kms:Encrypt", Some(&key.arn));
    req.context = Context::from_json(&serde_json::json!({
        "aws:RequestedRegion": "eu-west-1", "kms:EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}))
    .unwrap();
    let s = env.kms.simulate(&env.root(), req).unwrap();
    assert_eq!(s.context.get("aws:requestedregion").unwrap().values(), ["eu-west-1"]);
    assert_eq!(s.context.get("kms:encryptionalgorithm").unwrap().values(), ["SYMMETRIC_DEFAULT"]);
}

#[test]
fn only_a_principal_allowed_to_simulate_may_ask() {
    let env = Env::new();
    let key = env.key();
    let e = env.kms.simulate(&env.alice(), ask(ADMIN_ARN, "kms:Encrypt", Some(&key.arn)));
    match e {
        Err(KmsError::AccessDenied { message, .. }) => assert_eq!(
            message,
            "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: \
             iam:SimulatePrincipalPolicy on resource: arn:aws:iam::111122223333:user/admin \
             because no identity-based policy allows the iam:SimulatePrincipalPolicy action"
        ),
        other => panic!("expected a denial, got {other:?}"),
    }
    // Another account's principal is not found, whoever asks.
    let e = env.kms.simulate(
        &env.root(),
        ask("arn:aws:iam::444455556666:user/bob", "kms:Encrypt", Some(&key.arn)),
    );
    assert!(matches!(e, Err(KmsError::NotFound { .. })), "{e:?}");
    // The action must be a KMS action, with a key exactly when it acts on one.
    let root = env.root();
    assert!(matches!(
        env.kms.simulate(&root, ask(ADMIN_ARN, "kms:Encrpyt", Some(&key.arn))),
        Err(KmsError::Validation { .. })
    ));
    assert!(matches!(
        env.kms.simulate(&root, ask(ADMIN_ARN, "kms:Encrypt", None)),
        Err(KmsError::Validation { .. })
    ));
    let create = env.kms.simulate(&root, ask(ADMIN_ARN, "kms:CreateKey", None)).unwrap();
    assert_eq!((create.decision.decision, create.resource.as_str()), (Outcome::Allow, "*"));
}

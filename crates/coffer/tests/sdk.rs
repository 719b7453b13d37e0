//! The official AWS SDK for Rust against the real `coffer serve`: each test starts the built
//! binary on a free loopback port with its own data directory and identities, points SDK
//! clients at it, and checks the SDK's typed results and errors, messages included.

use std::io::{Read as _, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use aws_sdk_kms::Client;
use aws_sdk_kms::error::ProvideErrorMetadata;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{DataKeySpec, KeyState, Tag};

const ACCOUNT: &str = "111122223333";
const REGION: &str = "us-east-1";
const ADMIN: (&str, &str) = ("AKIASDKADMIN00000001", "sdk-admin-secret-000000000000000000001");
const READER: (&str, &str) = ("AKIASDKREADER0000001", "sdk-reader-secret-00000000000000000001");

/// One account: `admin` may do anything with keys, `reader` may only describe keys and
/// encrypt.
fn identities() -> serde_json::Value {
    serde_json::json!({
        "accounts": [{"id": ACCOUNT}],
        "principals": [
            {"account": ACCOUNT, "type": "user", "name": "admin",
             "access_keys": [{"id": ADMIN.0, "secret": ADMIN.1}],
             "policies": [{"Version": "2012-10-17", "Statement": [
                 {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]},
            {"account": ACCOUNT, "type": "user", "name": "reader",
             "access_keys": [{"id": READER.0, "secret": READER.1}],
             "policies": [{"Version": "2012-10-17", "Statement": [
                 {"Effect": "Allow", "Action": ["kms:DescribeKey", "kms:Encrypt"], "Resource": "*"}]}]}
        ]
    })
}

/// A running `coffer serve`, killed when dropped (also when a test panics).
struct Server {
    child: Child,
    endpoint: String,
    dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let ids = dir.path().join("identities.json");
        std::fs::write(&ids, identities().to_string()).unwrap();
        let addr = free_port();
        let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_coffer"))
            .arg("serve")
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .arg("--listen")
            .arg(addr.to_string())
            .arg("--identities")
            .arg(&ids)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut server = Server { child, endpoint: format!("http://{addr}"), dir };
        server.wait_healthy(addr);
        server
    }

    /// Waits until `GET /health` answers 200, failing with the server's output if it
    /// exits or takes too long.
    fn wait_healthy(&mut self, addr: SocketAddr) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let exited = self.child.try_wait().unwrap();
            assert!(exited.is_none(), "coffer exited with {exited:?}: {}", self.log());
            if health(addr) {
                return;
            }
            assert!(Instant::now() < deadline, "coffer did not become healthy: {}", self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// An SDK client signing with `(access key id, secret)`.
    async fn client(&self, (access_key, secret): (&str, &str)) -> Client {
        let config = aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(&self.endpoint)
            .region(Region::new(REGION))
            .credentials_provider(Credentials::new(access_key, secret, None, None, "coffer-tests"))
            .load()
            .await;
        Client::new(&config)
    }

    fn data_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> SocketAddr {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    listener.local_addr().unwrap()
}

/// Whether `GET /health` answers 200.
fn health(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.starts_with("HTTP/1.1 200")
}

fn key_arn(id: &str) -> String {
    format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{id}")
}

/// Creates a key as the administrator; returns its id and ARN.
async fn create_key(kms: &Client, description: &str) -> (String, String) {
    let m = kms.create_key().description(description).send().await.unwrap().key_metadata.unwrap();
    (m.key_id, m.arn.unwrap())
}

fn blob(b: &[u8]) -> Blob {
    Blob::new(b.to_vec())
}

#[tokio::test]
async fn keys_aliases_and_listings() {
    let server = Server::start();
    let kms = server.client(ADMIN).await;

    let created = kms
        .create_key()
        .description("made by the Rust SDK")
        .tags(Tag::builder().tag_key("team").tag_value("payments").build().unwrap())
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    let id = created.key_id.clone();
    let arn = key_arn(&id);
    assert_eq!(created.arn.as_deref(), Some(arn.as_str()));
    assert_eq!(created.aws_account_id.as_deref(), Some(ACCOUNT));
    assert_eq!(created.description.as_deref(), Some("made by the Rust SDK"));
    assert_eq!(created.key_state, Some(KeyState::Enabled));
    assert!(created.enabled);
    let tags = kms.list_resource_tags().key_id(&id).send().await.unwrap().tags.unwrap();
    assert_eq!(tags, vec![Tag::builder().tag_key("team").tag_value("payments").build().unwrap()]);

    kms.create_alias().alias_name("alias/sdk-test").target_key_id(&id).send().await.unwrap();
    for name in [id.as_str(), arn.as_str(), "alias/sdk-test"] {
        let m = kms.describe_key().key_id(name).send().await.unwrap().key_metadata.unwrap();
        assert_eq!(m.key_id, id, "DescribeKey by `{name}`");
        assert_eq!(m.description.as_deref(), Some("made by the Rust SDK"));
    }
    let aliases = kms.list_aliases().key_id(&id).send().await.unwrap().aliases.unwrap();
    assert_eq!(aliases.len(), 1);
    assert_eq!(aliases[0].alias_name.as_deref(), Some("alias/sdk-test"));
    assert_eq!(aliases[0].target_key_id.as_deref(), Some(id.as_str()));
    assert_eq!(
        aliases[0].alias_arn.as_deref(),
        Some(format!("arn:aws:kms:{REGION}:{ACCOUNT}:alias/sdk-test").as_str())
    );

    // Five keys, listed two at a time with Limit and Marker.
    let mut expected = vec![id];
    for n in 0..4 {
        expected.push(create_key(&kms, &format!("key {n}")).await.0);
    }
    expected.sort();
    let mut listed = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        pages += 1;
        let page = kms.list_keys().limit(2).set_marker(marker.take()).send().await.unwrap();
        let keys = page.keys.unwrap_or_default();
        assert!(keys.len() <= 2, "a page of {} keys", keys.len());
        for k in keys {
            assert_eq!(k.key_arn.unwrap(), key_arn(k.key_id.as_deref().unwrap()));
            listed.push(k.key_id.unwrap());
        }
        if !page.truncated {
            assert_eq!(page.next_marker, None);
            break;
        }
        marker = Some(page.next_marker.unwrap());
    }
    assert_eq!(pages, 3);
    listed.sort();
    assert_eq!(listed, expected);
}

#[tokio::test]
async fn encrypt_decrypt_re_encrypt_and_data_keys() {
    let server = Server::start();
    let kms = server.client(ADMIN).await;
    let (id, arn) = create_key(&kms, "first").await;
    let (id2, arn2) = create_key(&kms, "second").await;

    let e = kms
        .encrypt()
        .key_id(&id)
        .plaintext(blob(b"hello from the Rust SDK"))
        .encryption_context("purpose", "sdk-test")
        .send()
        .await
        .unwrap();
    assert_eq!(e.key_id.as_deref(), Some(arn.as_str()));
    let ciphertext = e.ciphertext_blob.unwrap();

    let d = kms
        .decrypt()
        .ciphertext_blob(ciphertext.clone())
        .encryption_context("purpose", "sdk-test")
        .send()
        .await
        .unwrap();
    assert_eq!(d.plaintext.unwrap().as_ref(), b"hello from the Rust SDK");
    assert_eq!(d.key_id.as_deref(), Some(arn.as_str()));

    // The wrong encryption context: the one opaque decrypt failure.
    let err = kms
        .decrypt()
        .ciphertext_blob(ciphertext.clone())
        .encryption_context("purpose", "something else")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_ciphertext_exception(), "{err:?}");

    // ReEncrypt under the second key with a new context.
    let r = kms
        .re_encrypt()
        .ciphertext_blob(ciphertext)
        .source_encryption_context("purpose", "sdk-test")
        .destination_key_id(&id2)
        .destination_encryption_context("purpose", "moved")
        .send()
        .await
        .unwrap();
    assert_eq!(r.source_key_id.as_deref(), Some(arn.as_str()));
    assert_eq!(r.key_id.as_deref(), Some(arn2.as_str()));
    let d = kms
        .decrypt()
        .ciphertext_blob(r.ciphertext_blob.unwrap())
        .encryption_context("purpose", "moved")
        .send()
        .await
        .unwrap();
    assert_eq!(d.plaintext.unwrap().as_ref(), b"hello from the Rust SDK");
    assert_eq!(d.key_id.as_deref(), Some(arn2.as_str()));

    // A data key: its ciphertext decrypts to its plaintext.
    let g =
        kms.generate_data_key().key_id(&arn).key_spec(DataKeySpec::Aes256).send().await.unwrap();
    let plaintext = g.plaintext.unwrap();
    assert_eq!(plaintext.as_ref().len(), 32);
    assert_eq!(g.key_id.as_deref(), Some(arn.as_str()));
    let d = kms.decrypt().ciphertext_blob(g.ciphertext_blob.unwrap()).send().await.unwrap();
    assert_eq!(d.plaintext.unwrap(), plaintext);

    let random = kms.generate_random().number_of_bytes(64).send().await.unwrap();
    assert_eq!(random.plaintext.unwrap().as_ref().len(), 64);
}

#[tokio::test]
async fn rotation_disabling_and_deletion() {
    let server = Server::start();
    let kms = server.client(ADMIN).await;
    let (id, arn) = create_key(&kms, "rotated").await;
    let before = kms.encrypt().key_id(&id).plaintext(blob(b"v1")).send().await.unwrap();

    let status = kms.get_key_rotation_status().key_id(&id).send().await.unwrap();
    assert!(!status.key_rotation_enabled);
    kms.enable_key_rotation().key_id(&id).rotation_period_in_days(90).send().await.unwrap();
    let status = kms.get_key_rotation_status().key_id(&id).send().await.unwrap();
    assert!(status.key_rotation_enabled);
    assert_eq!(status.rotation_period_in_days, Some(90));
    assert_eq!(status.key_id.as_deref(), Some(arn.as_str()));
    let rotated = kms.rotate_key_on_demand().key_id(&id).send().await.unwrap();
    assert_eq!(rotated.key_id.as_deref(), Some(arn.as_str()));
    // What was encrypted before the rotation still decrypts.
    let d = kms.decrypt().ciphertext_blob(before.ciphertext_blob.unwrap()).send().await.unwrap();
    assert_eq!(d.plaintext.unwrap().as_ref(), b"v1");

    kms.disable_key().key_id(&id).send().await.unwrap();
    let err = kms
        .encrypt()
        .key_id(&id)
        .plaintext(blob(b"x"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_disabled_exception(), "{err:?}");
    assert_eq!(err.message(), Some(format!("{arn} is disabled.").as_str()));
    let m = kms.describe_key().key_id(&id).send().await.unwrap().key_metadata.unwrap();
    assert_eq!(m.key_state, Some(KeyState::Disabled));
    assert!(!m.enabled);

    let s = kms.schedule_key_deletion().key_id(&id).pending_window_in_days(7).send().await.unwrap();
    assert_eq!(s.key_id.as_deref(), Some(arn.as_str()));
    assert_eq!(s.key_state, Some(KeyState::PendingDeletion));
    assert_eq!(s.pending_window_in_days, Some(7));
    let m = kms.describe_key().key_id(&id).send().await.unwrap().key_metadata.unwrap();
    assert_eq!(m.key_state, Some(KeyState::PendingDeletion));
    assert_eq!(m.pending_deletion_window_in_days, Some(7));
    let deletion = m.deletion_date.unwrap().secs() - m.creation_date.unwrap().secs();
    assert!((7 * 86_400 - 60..=7 * 86_400 + 60).contains(&deletion), "{deletion} seconds");
}

#[tokio::test]
async fn refusals_as_aws_sends_them() {
    let server = Server::start();
    let kms = server.client(ADMIN).await;
    let reader = server.client(READER).await;
    let (id, arn) = create_key(&kms, "guarded").await;

    // The reader may encrypt and describe, but not decrypt.
    let e = reader.encrypt().key_id(&id).plaintext(blob(b"x")).send().await.unwrap();
    reader.describe_key().key_id(&id).send().await.unwrap();
    let err = reader
        .decrypt()
        .ciphertext_blob(e.ciphertext_blob.unwrap())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.code(), Some("AccessDeniedException"), "{err:?}");
    assert_eq!(
        err.message(),
        Some(
            format!(
                "User: arn:aws:iam::{ACCOUNT}:user/reader is not authorized to perform: kms:Decrypt on resource: {arn} because no identity-based policy allows the kms:Decrypt action"
            )
            .as_str()
        )
    );

    // A key that does not exist.
    let missing = "0b7a8c1e-3f2d-4c5b-9a6e-1d2c3b4a5f60";
    let err = kms.describe_key().key_id(missing).send().await.unwrap_err().into_service_error();
    assert!(err.is_not_found_exception(), "{err:?}");
    assert_eq!(err.message(), Some(format!("Key '{}' does not exist", key_arn(missing)).as_str()));

    // A client whose secret is wrong.
    let forger = server.client((ADMIN.0, "not-the-admin-secret-000000000000000000")).await;
    let err = forger.list_keys().send().await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidSignatureException"), "{err:?}");
    assert_eq!(
        err.message(),
        Some(
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key and signing method. Consult the service \
             documentation for details."
        )
    );

    // The refusals of signed callers are in the audit log with their codes.
    let log = std::fs::read_to_string(server.data_dir().join("audit.log")).unwrap();
    assert!(log.lines().any(|l| l.contains("\"errorCode\":\"AccessDeniedException\"")), "{log}");
    assert!(log.lines().any(|l| l.contains("\"errorCode\":\"NotFoundException\"")), "{log}");
}

#[test]
fn the_server_is_gone_once_its_guard_is_dropped() {
    let server = Server::start();
    let addr: SocketAddr = server.endpoint.trim_start_matches("http://").parse().unwrap();
    let data = server.data_dir();
    drop(server);
    assert!(!health(addr), "the server still answers after its guard was dropped");
    assert!(!data.exists(), "the data directory outlived the guard");
}

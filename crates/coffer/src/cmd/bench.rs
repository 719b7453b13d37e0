//! `coffer bench`: a load generator for the AWS KMS API of a server on this machine.
//!
//! Either measures a running server (`--endpoint`, a loopback address only) or starts one
//! in the process (`--spawn`: the embedded default — SQLite and a file root key in a
//! temporary data directory, an audit log beside them, one root access key) so that one
//! command measures the whole path. Setup creates a fresh symmetric key with CreateKey
//! (or uses `--key-id`) and makes one ciphertext for Decrypt.
//!
//! Then, for each connection count and each operation in turn, it opens that many
//! keep-alive HTTP/1.1 connections and runs requests back to back on each, until the
//! duration has passed or the request cap is used up, whichever comes first: a run always
//! stops by itself. Every AWS request is signed with SigV4 by the server's own signer; as
//! a request's bytes only change with its `X-Amz-Date`, a connection signs once per
//! second of the clock. `health` is a plain `GET /health` of the same server: the floor
//! that HTTP alone costs, measured in the same run, against which every other operation
//! is set. `floor` (with `--spawn` only) is the reference handler that any JSON
//! encryption service must at least be: it base64-decodes a 4 KiB body, seals it with
//! AES-256-GCM and answers the result in base64, with no signature, key, policy or audit;
//! it says how much of the gap between `health` and `encrypt` the work itself explains.
//! `sign:<KeySpec>` and `verify:<KeySpec>` sign, or verify a signature made during setup,
//! with a key of each signing spec created during setup (for HMAC specs: GenerateMac and
//! VerifyMac), with the algorithm and message size `openssl speed` uses for the same key.
//!
//! Reported per operation and connection count: successful operations per second, the
//! 50th and 99th percentiles of their latencies (nearest rank over every recorded
//! latency), and the errors. Any answer but 200 is an error; a run with errors exits 1.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use coffer_crypto::{
    FileRootKey, RootKey, RootKeyProvider as _, Secret, SecureRandom, SystemRandom,
};
use coffer_kms::Kms;
use coffer_kms::audit::FileAudit;
use coffer_kms::clock::SystemClock;
use coffer_kms::iam::Identities;
use coffer_server::aws::sigv4;
use coffer_store::SqliteStore;
use hyper::{Method, StatusCode, Uri};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::sync::Barrier;

use super::{Fatal, Output, Status};

/// `coffer bench` options.
#[derive(clap::Args)]
#[command(
    about = "Measure a server's AWS KMS operations against its health check (loopback only)."
)]
#[command(group(clap::ArgGroup::new("server").required(true).args(["endpoint", "spawn"])))]
pub struct BenchArgs {
    /// The server to measure, e.g. `http://127.0.0.1:4600` (a loopback address only).
    #[arg(long)]
    endpoint: Option<String>,
    /// Start a server in this process, on a free port of 127.0.0.1 with a temporary data
    /// directory, and measure it.
    #[arg(long)]
    spawn: bool,
    /// Seconds each operation runs at each connection count.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    duration: u64,
    /// Connection counts to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,16",
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    connections: Vec<u16>,
    /// Operations to measure, comma-separated, in this order: encrypt (4 KiB), decrypt,
    /// generate-data-key (AES_256), health (`GET /health`, the HTTP floor), floor (with
    /// `--spawn`: a bare handler that base64-decodes, seals with AES-256-GCM and answers),
    /// `sign:<KeySpec>` and `verify:<KeySpec>` (RSA_2048, ECC_NIST_P256, ML_DSA_65, SM2,
    /// HMAC_256 ... : a key of that spec made during setup; HMAC keys measure GenerateMac
    /// and VerifyMac).
    #[arg(
        long,
        value_parser = parse_op,
        value_delimiter = ',',
        default_value = "encrypt,decrypt,generate-data-key,health"
    )]
    ops: Vec<Op>,
    /// Runs every operation in turn this many times, each for `duration / rounds`, and
    /// reports their sums: operations measured in alternation see the same machine, so
    /// their ratios hold when the machine's speed drifts during the run.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    rounds: u32,
    /// At most this many requests per operation and connection count.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..))]
    max_requests: u64,
    /// The access key id to sign with (with `--spawn`: the server's root access key;
    /// a fresh one when not given).
    #[arg(long, env = "AWS_ACCESS_KEY_ID")]
    access_key: Option<String>,
    /// The secret access key to sign with.
    #[arg(long, env = "AWS_SECRET_ACCESS_KEY", hide_env_values = true)]
    secret_key: Option<String>,
    /// The region to sign for.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// A symmetric encryption key to use instead of creating one.
    #[arg(long)]
    key_id: Option<String>,
    /// `text`: a table; `json`: one JSON object per line.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

impl fmt::Debug for BenchArgs {
    /// Everything but the secret key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BenchArgs")
            .field("endpoint", &self.endpoint)
            .field("spawn", &self.spawn)
            .field("duration", &self.duration)
            .field("connections", &self.connections)
            .field("ops", &self.ops)
            .field("rounds", &self.rounds)
            .field("max_requests", &self.max_requests)
            .field("access_key", &self.access_key)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "<redacted>"))
            .field("region", &self.region)
            .field("key_id", &self.key_id)
            .field("format", &self.format)
            .finish()
    }
}

/// An operation the bench measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// Encrypt of a 4 KiB plaintext.
    Encrypt,
    /// Decrypt of a ciphertext made during setup.
    Decrypt,
    /// GenerateDataKey with `KeySpec` AES_256.
    GenerateDataKey,
    /// `GET /health`: the HTTP floor.
    Health,
    /// The reference handler (with `--spawn` only): base64-decode a 4 KiB body, seal it
    /// with AES-256-GCM, answer in base64.
    Floor,
    /// Sign with a key of one spec.
    Sign(&'static Signing),
    /// Verify a signature made during setup, with a key of one spec.
    Verify(&'static Signing),
}

/// How the bench signs with a key spec: the algorithm `openssl speed` measures for the
/// same key, and a message of the size it signs (a digest, or 32 bytes for the schemes
/// that sign messages whole).
#[derive(Debug, PartialEq, Eq)]
struct Signing {
    /// `sign:RSA_2048`.
    sign: &'static str,
    /// `verify:RSA_2048`.
    verify: &'static str,
    key_spec: &'static str,
    algorithm: &'static str,
    message_type: &'static str,
    message_len: usize,
}

macro_rules! signing {
    ($spec:literal, $alg:literal, $kind:literal, $len:literal) => {
        Signing {
            sign: concat!("sign:", $spec),
            verify: concat!("verify:", $spec),
            key_spec: $spec,
            algorithm: $alg,
            message_type: $kind,
            message_len: $len,
        }
    };
}

/// Every signing key spec of AWS KMS.
static SIGNING: [Signing; 13] = [
    signing!("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256", "DIGEST", 32),
    signing!("RSA_3072", "RSASSA_PKCS1_V1_5_SHA_256", "DIGEST", 32),
    signing!("RSA_4096", "RSASSA_PKCS1_V1_5_SHA_256", "DIGEST", 32),
    signing!("ECC_NIST_P256", "ECDSA_SHA_256", "DIGEST", 32),
    signing!("ECC_NIST_P384", "ECDSA_SHA_384", "DIGEST", 48),
    signing!("ECC_NIST_P521", "ECDSA_SHA_512", "DIGEST", 64),
    signing!("ECC_SECG_P256K1", "ECDSA_SHA_256", "DIGEST", 32),
    signing!("ECC_NIST_EDWARDS25519", "ED25519_SHA_512", "RAW", 32),
    signing!("ML_DSA_44", "ML_DSA_SHAKE_256", "RAW", 32),
    signing!("ML_DSA_65", "ML_DSA_SHAKE_256", "RAW", 32),
    signing!("ML_DSA_87", "ML_DSA_SHAKE_256", "RAW", 32),
    signing!("SM2", "SM2DSA", "DIGEST", 32),
    signing!("HMAC_256", "HMAC_SHA_256", "MAC", 32),
];

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Encrypt => "encrypt",
            Op::Decrypt => "decrypt",
            Op::GenerateDataKey => "generate-data-key",
            Op::Health => "health",
            Op::Floor => "floor",
            Op::Sign(s) => s.sign,
            Op::Verify(s) => s.verify,
        }
    }
}

/// `--ops` values: the fixed operations, and `sign:<KeySpec>` / `verify:<KeySpec>`.
fn parse_op(text: &str) -> Result<Op, String> {
    let fixed = [Op::Encrypt, Op::Decrypt, Op::GenerateDataKey, Op::Health, Op::Floor];
    let signing = SIGNING.iter().flat_map(|s| [Op::Sign(s), Op::Verify(s)]);
    fixed.into_iter().chain(signing).find(|op| op.name() == text).ok_or_else(|| {
        let specs: Vec<&str> = SIGNING.iter().map(|s| s.key_spec).collect();
        format!(
            "`{text}` is not an operation: use encrypt, decrypt, generate-data-key, health, \
             floor, or sign:<KeySpec> / verify:<KeySpec> with a KeySpec of {}",
            specs.join(", ")
        )
    })
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

/// The account of a spawned server.
const SPAWN_ACCOUNT: &str = "000000000000";

/// The plaintext length of Encrypt: the largest AWS accepts.
const PLAINTEXT_BYTES: usize = 4096;

/// How long one request may take before it counts as an error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The signed headers of every AWS request the bench sends.
const SIGNED_HEADERS: [&str; 4] = ["content-type", "host", "x-amz-date", "x-amz-target"];

/// Runs the bench.
pub fn run(args: BenchArgs) -> Result<Status, Fatal> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Fatal(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(bench(args))
}

async fn bench(args: BenchArgs) -> Result<Status, Fatal> {
    let ops = dedup(&args.ops);
    let connections = dedup(&args.connections);
    let duration = Duration::from_secs(args.duration);
    if args.endpoint.is_some() && ops.contains(&Op::Floor) {
        return Err(Fatal("`floor` is served only by a spawned server: use `--spawn`".into()));
    }

    let (target, server) = match &args.endpoint {
        Some(url) => {
            let (Some(access_key), Some(secret_key)) = (&args.access_key, &args.secret_key) else {
                return Err(Fatal(
                    "`--endpoint` needs `--access-key` and `--secret-key` (or \
                     `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`)"
                        .into(),
                ));
            };
            let (addr, authority) = loopback_endpoint(url)?;
            let credentials = Credentials {
                access_key: access_key.clone(),
                secret: Secret::new(secret_key.clone().into_bytes()),
                region: args.region.clone(),
            };
            (Target { addr, authority, credentials }, None)
        }
        None => {
            let credentials = match (&args.access_key, &args.secret_key) {
                (Some(a), Some(s)) => Credentials {
                    access_key: a.clone(),
                    secret: Secret::new(s.clone().into_bytes()),
                    region: args.region.clone(),
                },
                _ => fresh_credentials(&args.region)?,
            };
            let server = Spawned::start(&credentials).await?;
            let authority = server.addr.to_string();
            (Target { addr: server.addr, authority, credentials }, Some(server))
        }
    };
    let target = Arc::new(target);

    let outcome = measure(&args, &target, &ops, &connections, duration).await;
    if let Some(server) = server {
        server.stop().await;
    }
    let (results, key_arn) = outcome?;

    let errors: u64 = results.iter().map(|r| r.errors).sum();
    let mut out = Output::new();
    let endpoint = format!("http://{}", target.authority);
    match args.format {
        Format::Text => out.write(&render_text(&endpoint, &key_arn, args.duration, &results))?,
        Format::Json => {
            for r in &results {
                out.line(&r.json(health_of(&results, r.connections)).to_string())?;
            }
            out.line(
                &json!({"run": if errors == 0 { "passed" } else { "failed" }, "errors": errors,
                        "endpoint": endpoint, "key": key_arn, "duration_secs": args.duration})
                .to_string(),
            )?;
        }
    }
    out.finish()?;
    Ok(if errors == 0 { Status::Clean } else { Status::Problems })
}

/// Sets up the key and the requests, then runs every (connection count, operation).
async fn measure(
    args: &BenchArgs,
    target: &Arc<Target>,
    ops: &[Op],
    connections: &[u16],
    duration: Duration,
) -> Result<(Vec<Measured>, String), Fatal> {
    let key_arn = match &args.key_id {
        Some(k) => k.clone(),
        None => {
            let created = setup_call(
                target,
                "CreateKey",
                &json!({"Description": "coffer bench", "KeySpec": "SYMMETRIC_DEFAULT",
                        "KeyUsage": "ENCRYPT_DECRYPT"}),
            )
            .await?;
            created["KeyMetadata"]["Arn"]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| Fatal("CreateKey answered without a key ARN".into()))?
        }
    };
    let plaintext: Vec<u8> = (0..PLAINTEXT_BYTES).map(|i| (i % 251) as u8).collect();
    let encrypt = json!({"KeyId": key_arn, "Plaintext": BASE64.encode(&plaintext)});
    let mut requests = BTreeMap::new();
    let mut signing_keys = BTreeMap::new();
    for op in ops {
        let template = match op {
            Op::Encrypt => Template::aws("Encrypt", &encrypt),
            Op::Decrypt => {
                let made = setup_call(target, "Encrypt", &encrypt).await?;
                let blob = made["CiphertextBlob"]
                    .as_str()
                    .ok_or_else(|| Fatal("Encrypt answered without a ciphertext".into()))?;
                Template::aws("Decrypt", &json!({"CiphertextBlob": blob}))
            }
            Op::GenerateDataKey => {
                Template::aws("GenerateDataKey", &json!({"KeyId": key_arn, "KeySpec": "AES_256"}))
            }
            Op::Health => Template::health(),
            Op::Floor => Template::floor(&plaintext),
            Op::Sign(s) => {
                let key = signing_key(target, &mut signing_keys, s).await?;
                Template::aws(s.operation(), &s.request(&key, None))
            }
            Op::Verify(s) => {
                let key = signing_key(target, &mut signing_keys, s).await?;
                let made = setup_call(target, s.operation(), &s.request(&key, None)).await?;
                let proof = made[s.output()].as_str().ok_or_else(|| {
                    Fatal(format!("{} answered without a {}", s.operation(), s.output()))
                })?;
                Template::aws(s.verifying(), &s.request(&key, Some(proof)))
            }
        };
        requests.insert(op.name(), Arc::new(template));
    }

    let mut results = Vec::new();
    let slice = duration / args.rounds;
    for &n in connections {
        let mut phases: Vec<Option<Phase>> = ops.iter().map(|_| None).collect();
        for _ in 0..args.rounds {
            for (&op, merged) in ops.iter().zip(phases.iter_mut()) {
                let Some(template) = requests.get(op.name()) else { continue };
                let sent = merged.as_ref().map_or(0, Phase::requests);
                let cap = args.max_requests.saturating_sub(sent);
                if cap == 0 {
                    continue;
                }
                let phase = run_phase(target, template, usize::from(n), slice, cap).await?;
                match merged {
                    Some(m) => m.absorb(phase),
                    None => *merged = Some(phase),
                }
            }
        }
        for (&op, phase) in ops.iter().zip(phases) {
            if let Some(p) = phase {
                results.push(p.finish(op, n));
            }
        }
    }
    if args.endpoint.is_some() {
        // Leave nothing behind on a server we do not own but keys pending deletion.
        let created = signing_keys.values().cloned();
        let keys: Vec<String> = if args.key_id.is_none() {
            created.chain([key_arn.clone()]).collect()
        } else {
            created.collect()
        };
        for key in keys {
            let _ = setup_call(
                target,
                "ScheduleKeyDeletion",
                &json!({"KeyId": key, "PendingWindowInDays": 7}),
            )
            .await;
        }
    }
    Ok((results, key_arn))
}

impl Signing {
    fn is_mac(&self) -> bool {
        self.message_type == "MAC"
    }

    fn key_usage(&self) -> &'static str {
        if self.is_mac() { "GENERATE_VERIFY_MAC" } else { "SIGN_VERIFY" }
    }

    fn operation(&self) -> &'static str {
        if self.is_mac() { "GenerateMac" } else { "Sign" }
    }

    fn verifying(&self) -> &'static str {
        if self.is_mac() { "VerifyMac" } else { "Verify" }
    }

    /// The member of the answer that holds the signature or MAC.
    fn output(&self) -> &'static str {
        if self.is_mac() { "Mac" } else { "Signature" }
    }

    /// The request body of a signature (`proof` absent) or of its verification.
    fn request(&self, key: &str, proof: Option<&str>) -> Value {
        let message = BASE64.encode(vec![0x5a; self.message_len]);
        let mut body = if self.is_mac() {
            json!({"KeyId": key, "Message": message, "MacAlgorithm": self.algorithm})
        } else {
            json!({"KeyId": key, "Message": message, "MessageType": self.message_type,
                   "SigningAlgorithm": self.algorithm})
        };
        if let Some(proof) = proof {
            body[self.output()] = json!(proof);
        }
        body
    }
}

/// The key of a signing spec, created on first use.
async fn signing_key(
    target: &Arc<Target>,
    keys: &mut BTreeMap<&'static str, String>,
    s: &Signing,
) -> Result<String, Fatal> {
    if let Some(key) = keys.get(s.key_spec) {
        return Ok(key.clone());
    }
    let created = setup_call(
        target,
        "CreateKey",
        &json!({"Description": "coffer bench", "KeySpec": s.key_spec, "KeyUsage": s.key_usage()}),
    )
    .await?;
    let arn = created["KeyMetadata"]["Arn"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| Fatal("CreateKey answered without a key ARN".into()))?;
    keys.insert(s.key_spec, arn.clone());
    Ok(arn)
}

/// The same items in their first order, without repeats.
fn dedup<T: PartialEq + Copy>(items: &[T]) -> Vec<T> {
    let mut out = Vec::with_capacity(items.len());
    for i in items {
        if !out.contains(i) {
            out.push(*i);
        }
    }
    out
}

/// Where requests go, and how they are signed.
struct Target {
    addr: SocketAddr,
    /// The `Host` header: `127.0.0.1:4600`.
    authority: String,
    credentials: Credentials,
}

struct Credentials {
    access_key: String,
    secret: Secret,
    region: String,
}

fn fresh_credentials(region: &str) -> Result<Credentials, Fatal> {
    let mut bytes = [0u8; 36];
    SystemRandom.fill(&mut bytes).map_err(|e| Fatal(format!("cannot create credentials: {e}")))?;
    const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let access_key = "AKIA"
        .chars()
        .chain(bytes[..16].iter().map(|b| char::from(UPPER[usize::from(*b) % UPPER.len()])))
        .collect();
    Ok(Credentials {
        access_key,
        secret: Secret::new(BASE64.encode(&bytes[16..]).into_bytes()),
        region: region.to_owned(),
    })
}

/// The socket address and `Host` of an `http://` endpoint on a loopback address.
fn loopback_endpoint(url: &str) -> Result<(SocketAddr, String), Fatal> {
    let bad = |why: &str| Fatal(format!("`{url}` {why}"));
    let uri: Uri = url.parse().map_err(|_| bad("is not a URL"))?;
    if uri.scheme_str() != Some("http") {
        return Err(bad("is not an `http://` URL"));
    }
    if uri.path_and_query().is_some_and(|p| p.as_str() != "/" && !p.as_str().is_empty()) {
        return Err(bad("has a path; give the server's root, e.g. `http://127.0.0.1:4600`"));
    }
    let authority = uri.authority().ok_or_else(|| bad("has no host"))?;
    let port = authority.port_u16().unwrap_or(80);
    let host = authority.host();
    let ip = if host.eq_ignore_ascii_case("localhost") {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .map_err(|_| bad("names no IP address or `localhost`"))?
    };
    if !ip.is_loopback() {
        return Err(bad("is not on a loopback address: the bench only sends to this machine"));
    }
    Ok((SocketAddr::new(ip, port), authority.as_str().to_owned()))
}

/// A server started in this process, on a temporary data directory.
struct Spawned {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), std::io::Error>>,
    _dir: tempfile::TempDir,
}

impl Spawned {
    /// The embedded default (SQLite, a file root key, a file audit log) with one root
    /// access key, listening on a free port of 127.0.0.1.
    async fn start(credentials: &Credentials) -> Result<Spawned, Fatal> {
        let dir = tempfile::Builder::new()
            .prefix("coffer-bench-")
            .tempdir()
            .map_err(|e| Fatal(format!("cannot create a temporary data directory: {e}")))?;
        let rng = SystemRandom;
        let root = FileRootKey::open_or_create(dir.path(), &rng)
            .and_then(|p| p.root_key())
            .map_err(|e| Fatal(format!("cannot create the root key: {e}")))?;
        let store = SqliteStore::open(&dir.path().join("coffer.db"))
            .map_err(|e| Fatal(format!("cannot open the store: {e}")))?;
        let audit = FileAudit::open(&dir.path().join("audit.log"))
            .map_err(|e| Fatal(format!("cannot open the audit log: {e}")))?;
        let identities = Identities::single_root(
            SPAWN_ACCOUNT,
            &credentials.access_key,
            Secret::new(credentials.secret.expose().to_vec()),
        );
        let kms = Kms::new(
            Arc::new(store),
            root,
            Arc::new(SystemRandom),
            Arc::new(SystemClock),
            identities,
            Arc::new(audit),
        );
        let state =
            Arc::new(coffer_server::AppState { kms: Arc::new(kms), max_skew_secs: 15 * 60 });
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(|e| Fatal(format!("cannot listen on 127.0.0.1: {e}")))?;
        let addr = listener.local_addr().map_err(|e| Fatal(format!("no local address: {e}")))?;
        let floor_key = Arc::new(
            RootKey::from_secret(
                coffer_crypto::random_secret(&rng, 32)
                    .map_err(|e| Fatal(format!("cannot make the reference handler's key: {e}")))?,
            )
            .map_err(|e| Fatal(format!("cannot make the reference handler's key: {e}")))?,
        );
        let app = coffer_server::router(state).route(
            FLOOR_PATH,
            axum::routing::post(move |body: Bytes| floor(Arc::clone(&floor_key), body)),
        );
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        Ok(Spawned { addr, stop, task, _dir: dir })
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        match tokio::time::timeout(Duration::from_secs(5), self.task).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => tracing::warn!(error = %e, "the spawned server failed"),
            Ok(Err(e)) => tracing::warn!(error = %e, "the spawned server's task failed"),
            Err(_) => tracing::warn!("the spawned server did not stop in time"),
        }
    }
}

/// Where a spawned server answers the reference handler.
const FLOOR_PATH: &str = "/bench/floor";

/// The reference handler: what a bare JSON encryption endpoint must at least do for an
/// Encrypt, for comparison with the whole path.
async fn floor(key: Arc<RootKey>, body: Bytes) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let Ok(plaintext) = BASE64.decode(&body) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    match coffer_crypto::seal(&key, b"coffer bench", &Secret::new(plaintext), &SystemRandom) {
        Ok(sealed) => (StatusCode::OK, BASE64.encode(sealed)).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// One operation's request, ready to send again and again.
struct Template {
    method: Method,
    path: &'static str,
    /// `TrentService.Encrypt`, or `None` for an unsigned request.
    target: Option<String>,
    body: Bytes,
}

impl Template {
    fn aws(operation: &str, body: &Value) -> Template {
        Template {
            method: Method::POST,
            path: "/",
            target: Some(format!("TrentService.{operation}")),
            body: Bytes::from(body.to_string()),
        }
    }

    fn health() -> Template {
        Template { method: Method::GET, path: "/health", target: None, body: Bytes::new() }
    }

    fn floor(plaintext: &[u8]) -> Template {
        Template {
            method: Method::POST,
            path: FLOOR_PATH,
            target: None,
            body: Bytes::from(BASE64.encode(plaintext)),
        }
    }
}

/// Builds a connection's requests, signing an AWS request once per second of the clock.
struct RequestMaker {
    target: Arc<Target>,
    template: Arc<Template>,
    /// The epoch second of the last signature (0 for an unsigned request) and the whole
    /// request as it goes on the wire.
    made: Option<(i64, Vec<u8>)>,
}

impl RequestMaker {
    fn new(target: Arc<Target>, template: Arc<Template>) -> RequestMaker {
        RequestMaker { target, template, made: None }
    }

    /// The next request's bytes: the last ones again until the clock's second changes.
    fn next(&mut self) -> Result<&[u8], String> {
        let now = match self.template.target {
            Some(_) => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_err(|e| e.to_string())?
                .as_secs()
                .try_into()
                .map_err(|_| "the clock is out of range".to_owned())?,
            None => 0,
        };
        if self.made.as_ref().is_none_or(|(at, _)| *at != now) {
            self.made = Some((now, self.write(now)));
        }
        Ok(self.made.as_ref().map(|(_, bytes)| bytes.as_slice()).unwrap_or_default())
    }

    /// An HTTP/1.1 request with the headers the AWS SDKs send.
    fn write(&self, now: i64) -> Vec<u8> {
        let t = &self.template;
        let mut head = format!(
            "{} {} HTTP/1.1\r\nhost: {}\r\nuser-agent: coffer-bench/{}\r\n",
            t.method,
            t.path,
            self.target.authority,
            env!("CARGO_PKG_VERSION")
        );
        if let Some(amz_target) = &t.target {
            let amz_date = sigv4::format_amz_date(now);
            let authorization = sign(&self.target, amz_target, &amz_date, &t.body);
            // Writing to a String cannot fail.
            let _ = write!(
                head,
                "content-type: {}\r\nx-amz-target: {amz_target}\r\nx-amz-date: {amz_date}\r\n\
                 authorization: {authorization}\r\n",
                coffer_server::aws::CONTENT_TYPE
            );
        }
        if !t.body.is_empty() {
            let _ = write!(head, "content-length: {}\r\n", t.body.len());
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&t.body);
        bytes
    }
}

/// The `Authorization` header of a KMS request, by the server's own signer.
fn sign(target: &Target, amz_target: &str, amz_date: &str, body: &[u8]) -> String {
    let headers: Vec<(String, String)> = vec![
        ("content-type".into(), coffer_server::aws::CONTENT_TYPE.into()),
        ("host".into(), target.authority.clone()),
        ("x-amz-date".into(), amz_date.into()),
        ("x-amz-target".into(), amz_target.into()),
    ];
    let req = sigv4::Request { method: "POST", path: "/", query: "", headers: &headers, body };
    let c = &target.credentials;
    sigv4::sign(
        &req,
        &SIGNED_HEADERS,
        &c.access_key,
        c.secret.expose(),
        &c.region,
        coffer_server::aws::SIGNING_SERVICE,
        amz_date,
    )
}

/// One keep-alive HTTP/1.1 connection. The load generator shares the two cores with the
/// server, so it writes each request's bytes and reads the answer in the task that
/// measures it: the head parsed by `httparse`, the body read to its `Content-Length`.
/// A general client (hyper's) hands every answer from a connection task to the caller,
/// which cost a large part of a health check's time and more for a 5.5 KiB answer
/// that arrives in several frames.
struct Connection {
    stream: TcpStream,
    /// What has been read of the current answer.
    buf: Vec<u8>,
}

/// Headers an answer may carry; hyper's server sends four.
const MAX_ANSWER_HEADERS: usize = 32;
/// The longest answer head read before giving up on it.
const MAX_ANSWER_HEAD: usize = 64 * 1024;

impl Connection {
    async fn open(addr: SocketAddr) -> Result<Connection, String> {
        let stream =
            TcpStream::connect(addr).await.map_err(|e| format!("cannot connect to {addr}: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        Ok(Connection { stream, buf: Vec::with_capacity(16 * 1024) })
    }

    /// Sends one request and reads the whole answer.
    async fn send(&mut self, request: &[u8]) -> Result<(StatusCode, Bytes), String> {
        tokio::time::timeout(REQUEST_TIMEOUT, self.exchange(request))
            .await
            .map_err(|_| format!("no answer within {} s", REQUEST_TIMEOUT.as_secs()))?
    }

    async fn exchange(&mut self, request: &[u8]) -> Result<(StatusCode, Bytes), String> {
        self.stream.write_all(request).await.map_err(|e| e.to_string())?;
        self.buf.clear();
        let (status, head_len, body_len) = loop {
            self.read_more().await?;
            let mut headers = [httparse::EMPTY_HEADER; MAX_ANSWER_HEADERS];
            let mut answer = httparse::Response::new(&mut headers);
            match answer.parse(&self.buf) {
                Ok(httparse::Status::Complete(head_len)) => {
                    let status = answer
                        .code
                        .and_then(|c| StatusCode::from_u16(c).ok())
                        .ok_or("an answer without a valid status")?;
                    let length = answer
                        .headers
                        .iter()
                        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                        .and_then(|h| {
                            std::str::from_utf8(h.value).ok()?.trim().parse::<usize>().ok()
                        })
                        .ok_or("an answer without a Content-Length")?;
                    break (status, head_len, length);
                }
                Ok(httparse::Status::Partial) if self.buf.len() > MAX_ANSWER_HEAD => {
                    return Err(format!("an answer head over {MAX_ANSWER_HEAD} bytes"));
                }
                Ok(httparse::Status::Partial) => {}
                Err(e) => return Err(format!("a malformed answer: {e}")),
            }
        };
        let end = head_len.checked_add(body_len).ok_or("an answer too long to hold")?;
        while self.buf.len() < end {
            self.read_more().await?;
        }
        if self.buf.len() > end {
            // One request is in flight at a time: nothing may follow its answer.
            return Err("bytes after the answer".into());
        }
        Ok((status, Bytes::copy_from_slice(&self.buf[head_len..end])))
    }

    async fn read_more(&mut self) -> Result<(), String> {
        if self.buf.capacity() - self.buf.len() < 4096 {
            self.buf.reserve(16 * 1024);
        }
        match self.stream.read_buf(&mut self.buf).await {
            Ok(0) => Err("the server closed the connection".into()),
            Ok(_) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// One signed request outside the measurement; anything but 200 stops the bench.
async fn setup_call(target: &Arc<Target>, operation: &str, body: &Value) -> Result<Value, Fatal> {
    let failed = |why: String| Fatal(format!("{operation} failed during setup: {why}"));
    let template = Arc::new(Template::aws(operation, body));
    let mut maker = RequestMaker::new(Arc::clone(target), template);
    let mut conn = Connection::open(target.addr).await.map_err(failed)?;
    let (status, bytes) = conn.send(maker.next().map_err(failed)?).await.map_err(failed)?;
    if status != StatusCode::OK {
        return Err(failed(format!("{status}: {}", String::from_utf8_lossy(&bytes))));
    }
    serde_json::from_slice(&bytes).map_err(|e| failed(format!("the answer is not JSON: {e}")))
}

/// What one connection saw.
#[derive(Default)]
struct Tally {
    /// Latencies of successful requests, in nanoseconds.
    latencies: Vec<u64>,
    /// Errors by kind: an HTTP status, or `transport`.
    errors: BTreeMap<String, u64>,
    /// The first error, as text.
    first_error: Option<String>,
}

impl Tally {
    fn error(&mut self, kind: String, detail: String) {
        *self.errors.entry(kind).or_default() += 1;
        if self.first_error.is_none() {
            self.first_error = Some(detail);
        }
    }

    fn merge(&mut self, other: Tally) {
        self.latencies.extend(other.latencies);
        for (k, n) in other.errors {
            *self.errors.entry(k).or_default() += n;
        }
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }
}

/// Everything measured in one phase, before it is summed up.
struct Phase {
    tally: Tally,
    elapsed: Duration,
}

/// Runs `connections` connections of back-to-back requests for `duration`, at most `cap`
/// requests in all.
async fn run_phase(
    target: &Arc<Target>,
    template: &Arc<Template>,
    connections: usize,
    duration: Duration,
    cap: u64,
) -> Result<Phase, Fatal> {
    let issued = Arc::new(AtomicU64::new(0));
    // The clock starts when every connection is open.
    let ready = Arc::new(Barrier::new(connections + 1));
    let (start_tx, start_rx) = tokio::sync::watch::channel(None::<Instant>);
    let mut workers = Vec::with_capacity(connections);
    for _ in 0..connections {
        let target = Arc::clone(target);
        let template = Arc::clone(template);
        let issued = Arc::clone(&issued);
        let ready = Arc::clone(&ready);
        let mut start_rx = start_rx.clone();
        workers.push(tokio::spawn(async move {
            let opened = Connection::open(target.addr).await;
            ready.wait().await;
            let mut conn = opened?;
            let start = loop {
                if let Some(at) = *start_rx.borrow_and_update() {
                    break at;
                }
                start_rx.changed().await.map_err(|e| e.to_string())?;
            };
            let deadline = start + duration;
            let mut maker = RequestMaker::new(Arc::clone(&target), template);
            let mut tally = Tally::default();
            while Instant::now() < deadline && issued.fetch_add(1, Ordering::Relaxed) < cap {
                let request = maker.next()?;
                let sent = Instant::now();
                match conn.send(request).await {
                    Ok((StatusCode::OK, _)) => {
                        let nanos = u64::try_from(sent.elapsed().as_nanos()).unwrap_or(u64::MAX);
                        tally.latencies.push(nanos);
                    }
                    Ok((status, body)) => tally.error(
                        status.as_u16().to_string(),
                        format!("{status}: {}", String::from_utf8_lossy(&body)),
                    ),
                    Err(e) => {
                        tally.error("transport".into(), e);
                        // A broken connection is replaced; one that cannot be ends this
                        // connection's share of the run.
                        conn = Connection::open(target.addr).await?;
                    }
                }
            }
            Ok::<_, String>((tally, Instant::now()))
        }));
    }
    ready.wait().await;
    let start = Instant::now();
    let _ = start_tx.send(Some(start));

    let mut tally = Tally::default();
    let mut end = start;
    for w in workers {
        match w.await {
            Ok(Ok((t, finished))) => {
                tally.merge(t);
                end = end.max(finished);
            }
            Ok(Err(e)) => tally.error("transport".into(), e),
            Err(e) => return Err(Fatal(format!("a connection's task failed: {e}"))),
        }
    }
    Ok(Phase { tally, elapsed: end.saturating_duration_since(start) })
}

impl Phase {
    /// Requests sent so far, answered or not.
    fn requests(&self) -> u64 {
        let errors: u64 = self.tally.errors.values().sum();
        self.tally.latencies.len() as u64 + errors
    }

    /// Adds a later phase of the same operation: its requests and its time.
    fn absorb(&mut self, later: Phase) {
        self.tally.merge(later.tally);
        self.elapsed += later.elapsed;
    }

    fn finish(self, op: Op, connections: u16) -> Measured {
        let mut latencies = self.tally.latencies;
        latencies.sort_unstable();
        let ok = latencies.len() as u64;
        let errors = self.tally.errors.values().sum();
        let seconds = self.elapsed.as_secs_f64();
        Measured {
            op,
            connections,
            ok,
            errors,
            seconds,
            ops_per_sec: if seconds > 0.0 { ok as f64 / seconds } else { 0.0 },
            mean: (ok > 0).then(|| nanos_to_ms(latencies.iter().sum::<u64>() / ok)),
            p50: percentile(&latencies, 500).map(nanos_to_ms),
            p90: percentile(&latencies, 900).map(nanos_to_ms),
            p99: percentile(&latencies, 990).map(nanos_to_ms),
            p999: percentile(&latencies, 999).map(nanos_to_ms),
            error_kinds: self.tally.errors,
            first_error: self.tally.first_error,
        }
    }
}

fn nanos_to_ms(n: u64) -> f64 {
    n as f64 / 1e6
}

/// The percentile of ascending values at `per_mille` thousandths (0 < per_mille ≤ 1000),
/// by nearest rank: the smallest value with at least that share of the values at or below
/// it. `None` when there are none. Integer arithmetic, because in floating point 99.9 %
/// of 1,000 values rounds up to rank 1,000.
fn percentile(sorted: &[u64], per_mille: usize) -> Option<u64> {
    if sorted.is_empty() || !(1..=1000).contains(&per_mille) {
        return None;
    }
    let rank = (per_mille * sorted.len()).div_ceil(1000);
    sorted.get(rank - 1).copied()
}

/// One operation at one connection count.
struct Measured {
    op: Op,
    connections: u16,
    ok: u64,
    errors: u64,
    seconds: f64,
    ops_per_sec: f64,
    /// Milliseconds, as every percentile below.
    mean: Option<f64>,
    p50: Option<f64>,
    p90: Option<f64>,
    p99: Option<f64>,
    p999: Option<f64>,
    error_kinds: BTreeMap<String, u64>,
    first_error: Option<String>,
}

/// Ratios of an operation against the health check at the same connection count.
#[derive(Debug, PartialEq)]
struct VsHealth {
    /// Its ops/s over health's.
    throughput: Option<f64>,
    /// Its p99 over health's.
    p99: Option<f64>,
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

fn health_of(results: &[Measured], connections: u16) -> Option<&Measured> {
    results.iter().find(|r| r.op == Op::Health && r.connections == connections)
}

impl Measured {
    fn vs(&self, health: Option<&Measured>) -> VsHealth {
        VsHealth {
            throughput: ratio(Some(self.ops_per_sec), health.map(|h| h.ops_per_sec)),
            p99: ratio(self.p99, health.and_then(|h| h.p99)),
        }
    }

    fn json(&self, health: Option<&Measured>) -> Value {
        let vs = self.vs(health);
        json!({
            "op": self.op.name(),
            "connections": self.connections,
            "requests": self.ok + self.errors,
            "ok": self.ok,
            "errors": self.errors,
            "error_kinds": self.error_kinds,
            "first_error": self.first_error,
            "seconds": round(self.seconds, 3),
            "ops_per_sec": round(self.ops_per_sec, 1),
            "mean_ms": self.mean.map(|v| round(v, 3)),
            "p50_ms": self.p50.map(|v| round(v, 3)),
            "p90_ms": self.p90.map(|v| round(v, 3)),
            "p99_ms": self.p99.map(|v| round(v, 3)),
            "p99.9_ms": self.p999.map(|v| round(v, 3)),
            "ops_vs_health": vs.throughput.map(|v| round(v, 3)),
            "p99_vs_health": vs.p99.map(|v| round(v, 3)),
        })
    }
}

fn round(v: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (v * f).round() / f
}

fn render_text(endpoint: &str, key: &str, duration: u64, results: &[Measured]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "endpoint {endpoint}, key {key}, {duration} s per run");
    let w = results.iter().map(|r| r.op.name().len()).max().unwrap_or(0).max(18);
    let _ = writeln!(
        s,
        "{:<w$} {:>5} {:>9} {:>6} {:>10} {:>8} {:>8} {:>12} {:>11}",
        "op",
        "conns",
        "requests",
        "errors",
        "ops/s",
        "p50 ms",
        "p99 ms",
        "ops/s:health",
        "p99:health"
    );
    let num = |v: Option<f64>, digits: usize| match v {
        Some(v) => format!("{v:.digits$}"),
        None => "-".to_owned(),
    };
    for r in results {
        let vs = r.vs(health_of(results, r.connections));
        let _ = writeln!(
            s,
            "{:<w$} {:>5} {:>9} {:>6} {:>10.1} {:>8} {:>8} {:>12} {:>11}",
            r.op.name(),
            r.connections,
            r.ok + r.errors,
            r.errors,
            r.ops_per_sec,
            num(r.p50, 3),
            num(r.p99, 3),
            num(vs.throughput, 3),
            num(vs.p99, 2),
        );
    }
    let failed: Vec<&Measured> = results.iter().filter(|r| r.errors > 0).collect();
    if failed.is_empty() {
        s.push_str("passed: no errors\n");
    } else {
        let total: u64 = failed.iter().map(|r| r.errors).sum();
        let _ = writeln!(s, "failed: {total} errors");
        for r in failed {
            let kinds: Vec<String> =
                r.error_kinds.iter().map(|(k, n)| format!("{n} × {k}")).collect();
            let _ = writeln!(
                s,
                "  {} at {} connections: {}; first: {}",
                r.op.name(),
                r.connections,
                kinds.join(", "),
                r.first_error.as_deref().unwrap_or("-")
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        bench: BenchArgs,
    }

    fn parse(args: &[&str]) -> Result<BenchArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("bench").chain(args.iter().copied())).map(|c| c.bench)
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 500), Some(50));
        assert_eq!(percentile(&v, 990), Some(99));
        assert_eq!(percentile(&v, 1000), Some(100));
        assert_eq!(percentile(&v, 5), Some(1));
        assert_eq!(percentile(&[7], 500), Some(7));
        assert_eq!(percentile(&[7], 990), Some(7));
        assert_eq!(percentile(&[1, 2, 3], 500), Some(2));
        assert_eq!(percentile(&[1, 2, 3, 4], 500), Some(2));
        assert_eq!(percentile(&[1, 2, 3, 4], 990), Some(4));
        assert_eq!(percentile(&[], 500), None);
        assert_eq!(percentile(&v, 0), None);
        assert_eq!(percentile(&v, 1001), None);
        assert_eq!(percentile(&v, 999), Some(100));
        let thousand: Vec<u64> = (1..=1000).collect();
        assert_eq!(percentile(&thousand, 999), Some(999));
    }

    #[test]
    fn defaults() {
        let a = parse(&["--spawn"]).unwrap();
        assert!(a.spawn && a.endpoint.is_none());
        assert_eq!(a.duration, 10);
        assert_eq!(a.connections, vec![1, 16]);
        assert_eq!(a.ops, vec![Op::Encrypt, Op::Decrypt, Op::GenerateDataKey, Op::Health]);
        assert_eq!(a.region, "us-east-1");
        assert_eq!(a.format, Format::Text);
        assert_eq!(a.max_requests, 1_000_000);
    }

    #[test]
    fn lists_and_options() {
        let a = parse(&[
            "--endpoint",
            "http://127.0.0.1:4600",
            "--connections",
            "4,1,4",
            "--ops",
            "health,generate-data-key",
            "--duration",
            "3",
            "--format",
            "json",
            "--max-requests",
            "50",
            "--region",
            "eu-west-1",
            "--rounds",
            "3",
        ])
        .unwrap();
        assert_eq!(a.endpoint.as_deref(), Some("http://127.0.0.1:4600"));
        assert_eq!(a.rounds, 3);
        assert_eq!(dedup(&a.connections), vec![4, 1]);
        assert_eq!(a.ops, vec![Op::Health, Op::GenerateDataKey]);
        assert_eq!((a.duration, a.format, a.max_requests), (3, Format::Json, 50));
        assert_eq!(a.region, "eu-west-1");
    }

    #[test]
    fn refusals() {
        assert!(parse(&[]).is_err(), "a server is required");
        assert!(parse(&["--spawn", "--endpoint", "http://127.0.0.1:1"]).is_err());
        assert!(parse(&["--spawn", "--connections", "0"]).is_err());
        assert!(parse(&["--spawn", "--connections", "1,x"]).is_err());
        assert!(parse(&["--spawn", "--duration", "0"]).is_err());
        assert!(parse(&["--spawn", "--ops", "sign"]).is_err());
        assert!(parse(&["--spawn", "--max-requests", "0"]).is_err());
        assert!(parse(&["--spawn", "--rounds", "0"]).is_err());
        assert!(parse(&["--spawn", "--format", "csv"]).is_err());
    }

    #[test]
    fn signing_operations_per_key_spec() {
        let a = parse(&["--spawn", "--ops", "sign:RSA_2048,verify:ECC_NIST_P256,verify:HMAC_256"])
            .unwrap();
        let names: Vec<&str> = a.ops.iter().map(|o| o.name()).collect();
        assert_eq!(names, ["sign:RSA_2048", "verify:ECC_NIST_P256", "verify:HMAC_256"]);
        let Op::Verify(mac) = a.ops[2] else { unreachable!() };
        assert_eq!(
            (mac.operation(), mac.verifying(), mac.output()),
            ("GenerateMac", "VerifyMac", "Mac")
        );
        let body = mac.request("k", Some("bWFj"));
        assert_eq!(body["MacAlgorithm"], "HMAC_SHA_256");
        assert_eq!(body["Mac"], "bWFj");
        let Op::Sign(rsa) = a.ops[0] else { unreachable!() };
        let body = rsa.request("k", None);
        assert_eq!(body["MessageType"], "DIGEST");
        assert_eq!(BASE64.decode(body["Message"].as_str().unwrap()).unwrap().len(), 32);
        let err = parse(&["--spawn", "--ops", "sign:RSA_1024"]).err().unwrap().to_string();
        assert!(err.contains("sign:<KeySpec>") && err.contains("ML_DSA_65"), "{err}");
        // Every spec has both operations, under distinct names.
        let mut all: Vec<&str> = SIGNING.iter().flat_map(|s| [s.sign, s.verify]).collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 2 * SIGNING.len());
    }

    #[test]
    fn the_reference_handler_needs_a_spawned_server() {
        let args = parse(&[
            "--endpoint",
            "http://127.0.0.1:1",
            "--ops",
            "floor",
            "--access-key",
            "AKIAEXAMPLE",
            "--secret-key",
            "s",
        ])
        .unwrap();
        let err = run(args).err().unwrap();
        assert!(err.0.contains("--spawn"), "{}", err.0);
    }

    #[test]
    fn the_secret_key_is_never_shown() {
        let a = parse(&["--spawn", "--access-key", "AKIDEXAMPLE", "--secret-key", "s3cr3t-k3y"])
            .unwrap();
        let shown = format!("{a:?}");
        assert!(shown.contains("AKIDEXAMPLE") && !shown.contains("s3cr3t-k3y"), "{shown}");
    }

    #[test]
    fn endpoints_are_loopback_only() {
        let ok = |u: &str| loopback_endpoint(u).unwrap();
        assert_eq!(
            ok("http://127.0.0.1:4600"),
            ("127.0.0.1:4600".parse().unwrap(), "127.0.0.1:4600".into())
        );
        assert_eq!(ok("http://localhost:9").0, "127.0.0.1:9".parse().unwrap());
        assert_eq!(ok("http://[::1]:8080/").0, "[::1]:8080".parse().unwrap());
        assert_eq!(ok("http://127.1.2.3").0, "127.1.2.3:80".parse().unwrap());
        for bad in [
            "http://10.0.0.1:4600",
            "http://192.168.1.1",
            "http://example.com",
            "https://127.0.0.1",
            "http://127.0.0.1/kms",
            "127.0.0.1:4600",
            "not a url",
        ] {
            assert!(loopback_endpoint(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ratios_against_health_at_the_same_connection_count() {
        let m = |op, connections, ops_per_sec, p99| Measured {
            op,
            connections,
            ok: 1,
            errors: 0,
            seconds: 1.0,
            ops_per_sec,
            mean: p99,
            p50: p99,
            p90: p99,
            p99,
            p999: p99,
            error_kinds: BTreeMap::new(),
            first_error: None,
        };
        let results = [
            m(Op::Encrypt, 16, 400.0, Some(4.0)),
            m(Op::Health, 1, 100.0, Some(1.0)),
            m(Op::Health, 16, 1000.0, Some(2.0)),
        ];
        let vs = results[0].vs(health_of(&results, 16));
        assert_eq!(vs, VsHealth { throughput: Some(0.4), p99: Some(2.0) });
        assert_eq!(results[0].vs(None), VsHealth { throughput: None, p99: None });
        let line = results[0].json(health_of(&results, 16));
        assert_eq!(line["op"], "encrypt");
        assert_eq!(line["ops_vs_health"], 0.4);
        assert_eq!(line["p99_vs_health"], 2.0);
        assert!(render_text("e", "k", 1, &results).ends_with("passed: no errors\n"));
    }

    #[test]
    fn a_phase_reports_its_mean_and_percentiles() {
        // 1 ms to 1,000 ms, one call each, in no order.
        let tally = Tally {
            latencies: (1..=1000u64).rev().map(|ms| ms * 1_000_000).collect(),
            ..Tally::default()
        };
        let m = Phase { tally, elapsed: Duration::from_secs(4) }.finish(Op::Encrypt, 16);
        assert_eq!((m.ok, m.ops_per_sec), (1000, 250.0));
        assert_eq!(m.mean, Some(500.5));
        assert_eq!(
            (m.p50, m.p90, m.p99, m.p999),
            (Some(500.0), Some(900.0), Some(990.0), Some(999.0))
        );
        let line = m.json(None);
        assert_eq!(
            (line["mean_ms"].as_f64(), line["p99.9_ms"].as_f64()),
            (Some(500.5), Some(999.0))
        );
    }

    #[test]
    fn signing_uses_the_servers_signer() {
        let target = Target {
            addr: "127.0.0.1:4600".parse().unwrap(),
            authority: "127.0.0.1:4600".into(),
            credentials: Credentials {
                access_key: "AKIDEXAMPLE".into(),
                secret: Secret::new(b"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_vec()),
                region: "us-east-1".into(),
            },
        };
        let date = "20150830T123600Z";
        let auth = sign(&target, "TrentService.Encrypt", date, b"{}");
        let mut headers: Vec<(String, String)> = vec![
            ("content-type".into(), coffer_server::aws::CONTENT_TYPE.into()),
            ("host".into(), "127.0.0.1:4600".into()),
            ("x-amz-date".into(), date.into()),
            ("x-amz-target".into(), "TrentService.Encrypt".into()),
        ];
        headers.push(("authorization".into(), auth));
        let req =
            sigv4::Request { method: "POST", path: "/", query: "", headers: &headers, body: b"{}" };
        let now = sigv4::parse_amz_date(date).unwrap();
        let secret = target.credentials.secret.expose();
        let verified = sigv4::verify(&req, "kms", now, 900, |_| Some(secret)).unwrap();
        assert_eq!(verified.access_key_id(), "AKIDEXAMPLE");
    }

    fn example_target(addr: SocketAddr) -> Arc<Target> {
        Arc::new(Target {
            addr,
            authority: addr.to_string(),
            credentials: Credentials {
                access_key: "AKIDEXAMPLE".into(),
                secret: Secret::new(b"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_vec()),
                region: "us-east-1".into(),
            },
        })
    }

    #[test]
    fn a_request_is_what_the_sdks_send_and_verifies() {
        let target = example_target("127.0.0.1:4600".parse().unwrap());
        let template = Arc::new(Template::aws("Encrypt", &json!({"KeyId": "alias/x"})));
        let mut maker = RequestMaker::new(Arc::clone(&target), Arc::clone(&template));
        let bytes = maker.next().unwrap().to_vec();
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let mut req = httparse::Request::new(&mut headers);
        let httparse::Status::Complete(head_len) = req.parse(&bytes).unwrap() else {
            panic!("an incomplete request");
        };
        assert_eq!((req.method, req.path), (Some("POST"), Some("/")));
        let pairs: Vec<(String, String)> = req
            .headers
            .iter()
            .map(|h| (h.name.to_owned(), String::from_utf8(h.value.to_vec()).unwrap()))
            .collect();
        let get = |name: &str| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        assert_eq!(get("content-length"), Some(template.body.len().to_string().as_str()));
        assert_eq!(get("x-amz-target"), Some("TrentService.Encrypt"));
        assert_eq!(&bytes[head_len..], &template.body[..]);
        let date = get("x-amz-date").unwrap();
        let req = sigv4::Request {
            method: "POST",
            path: "/",
            query: "",
            headers: &pairs,
            body: &bytes[head_len..],
        };
        let now = sigv4::parse_amz_date(date).unwrap();
        let secret = target.credentials.secret.expose();
        let verified = sigv4::verify(&req, "kms", now, 900, |_| Some(secret)).unwrap();
        assert_eq!(verified.access_key_id(), "AKIDEXAMPLE");

        let health =
            RequestMaker::new(target, Arc::new(Template::health())).next().unwrap().to_vec();
        assert_eq!(
            String::from_utf8(health).unwrap(),
            format!(
                "GET /health HTTP/1.1\r\nhost: 127.0.0.1:4600\r\nuser-agent: coffer-bench/{}\r\n\r\n",
                env!("CARGO_PKG_VERSION")
            )
        );
    }

    /// A server that reads one request and answers with `pieces`, one write each.
    async fn answering(pieces: Vec<&'static [u8]>) -> SocketAddr {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 1024];
            let _ = socket.read(&mut request).await.unwrap();
            for piece in pieces {
                socket.write_all(piece).await.unwrap();
                socket.flush().await.unwrap();
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
        addr
    }

    #[tokio::test]
    async fn an_answer_is_read_to_its_length_whatever_its_pieces() {
        let addr = answering(vec![
            b"HTTP/1.1 400 Bad Request\r\ncontent-le",
            b"ngth: 11\r\n\r\nhello",
            b" world",
        ])
        .await;
        let mut conn = Connection::open(addr).await.unwrap();
        let (status, body) = conn.send(b"GET /health HTTP/1.1\r\n\r\n").await.unwrap();
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(&body[..], b"hello world");
    }

    #[tokio::test]
    async fn answers_the_bench_cannot_frame_are_errors() {
        let cases: [(Vec<&'static [u8]>, &str); 5] = [
            (vec![b"HTTP/1.1 200 OK\r\n\r\nhi"], "an answer without a Content-Length"),
            (vec![b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi!"], "bytes after the answer"),
            (
                vec![b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nhi"],
                "the server closed the connection",
            ),
            (vec![b"NOT HTTP\r\n\r\n"], "a malformed answer: invalid HTTP version"),
            (
                vec![b"HTTP/1.1 200 OK\r\ncontent-length: 18446744073709551615\r\n\r\n"],
                "an answer too long to hold",
            ),
        ];
        let endless: &'static [u8] = Box::leak(
            [b"HTTP/1.1 200 OK\r\nx-long: ".as_slice(), &[b'a'; MAX_ANSWER_HEAD]].concat().into(),
        );
        let cases = cases.into_iter().chain([(vec![endless], "an answer head over 65536 bytes")]);
        for (pieces, expected) in cases {
            let addr = answering(pieces).await;
            let mut conn = Connection::open(addr).await.unwrap();
            let err = conn.send(b"GET /health HTTP/1.1\r\n\r\n").await.unwrap_err();
            assert_eq!(err, expected);
        }
    }
}
